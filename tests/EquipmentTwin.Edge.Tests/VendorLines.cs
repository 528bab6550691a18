using System.Globalization;
using System.Text;

namespace EquipmentTwin.Edge.Tests;

/// <summary>Writes vendor log lines the way the simulator's files mode does, with unique event times so every stored record is countable.</summary>
public static class VendorLines
{
    public static readonly DateTime Start = new(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc);

    public static string Pipe(int i) =>
        $"{Start.AddSeconds(i).ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture)}|PARAM|he_level_pct|{(70 + i % 100 / 10.0).ToString(CultureInfo.InvariantCulture)}|%\n";

    public static string PipeEvent(int i) =>
        $"{Start.AddSeconds(i).ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture)}|EVENT|MR-HE-201|WARN|Helium level low #{i}\n";

    /// <summary>Appends lines <paramref name="from"/>..<paramref name="to"/> (exclusive), every tenth an event.</summary>
    public static void Append(string path, int from, int to)
    {
        using var fs = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        fs.Write(Bytes(from, to));
    }

    /// <summary>The bytes of lines <paramref name="from"/>..<paramref name="to"/> (exclusive), as <see cref="Append"/> writes them.</summary>
    public static byte[] Bytes(int from, int to)
    {
        var sb = new StringBuilder();
        for (var i = from; i < to; i++)
        {
            sb.Append(i % 10 == 9 ? PipeEvent(i) : Pipe(i));
        }

        return Encoding.UTF8.GetBytes(sb.ToString());
    }
}
