using System.Text.Json;

namespace EquipmentTwin.Cli.Commands;

/// <summary>Files a command writes where the user asked (<c>--json FILE</c>): the folder is made when missing.</summary>
public static class OutputFiles
{
    /// <summary>Makes the folder of <paramref name="path"/> and returns the path.</summary>
    public static string Prepare(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        return path;
    }

    /// <summary>Writes <paramref name="value"/> as JSON to <paramref name="path"/> and says so on <paramref name="output"/>.</summary>
    public static void WriteJson<T>(string path, T value, JsonSerializerOptions options, TextWriter output)
    {
        File.WriteAllText(Prepare(path), JsonSerializer.Serialize(value, options));
        output.WriteLine($"wrote {path}");
    }
}
