using System.Text.Json;
using System.Text.Json.Serialization;

namespace EquipmentTwin.Simulator.Simulation;

/// <summary>Writes and reads the ground truth JSON that the evaluation scores forecasts against.</summary>
public static class GroundTruthWriter
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string ToJson(GroundTruth truth) => JsonSerializer.Serialize(truth, Options);

    public static void Write(GroundTruth truth, string path)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null)
        {
            Directory.CreateDirectory(dir);
        }

        File.WriteAllText(path, ToJson(truth) + "\n");
    }

    public static GroundTruth Read(string path) =>
        JsonSerializer.Deserialize<GroundTruth>(File.ReadAllText(path), Options) ?? throw new InvalidDataException($"{path}: empty ground truth");
}
