using System.Text.RegularExpressions;
using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Analytics.Anomaly;

/// <summary>The anomaly models in use, at most one per modality (the highest saved version).</summary>
public sealed partial class AnomalyModelSet
{
    private readonly Dictionary<Modality, AnomalyModel> _models;

    public AnomalyModelSet(IEnumerable<AnomalyModel> models)
    {
        _models = new Dictionary<Modality, AnomalyModel>();
        foreach (var m in models)
        {
            if (!_models.TryGetValue(m.Modality, out var have) || m.Version > have.Version)
            {
                _models[m.Modality] = m;
            }
        }
    }

    public static AnomalyModelSet Empty { get; } = new([]);

    public IReadOnlyCollection<AnomalyModel> Models => _models.Values;

    public AnomalyModel? For(Modality modality) => _models.GetValueOrDefault(modality);

    /// <summary>Loads, per modality, the highest <c>v{N}.zip</c> under <c>{directory}/{modality}/anomaly/</c>; a missing folder is no model.</summary>
    public static AnomalyModelSet LoadLatest(string directory)
    {
        var models = new List<AnomalyModel>();
        foreach (var modality in Enum.GetValues<Modality>())
        {
            if (Latest(directory, modality) is { } zip)
            {
                models.Add(AnomalyModel.Load(zip));
            }
        }

        return new AnomalyModelSet(models);
    }

    /// <summary>The version a newly trained model of <paramref name="modality"/> should take: one above the highest saved.</summary>
    public static int NextVersion(string directory, Modality modality) =>
        Versions(directory, modality).Select(v => v.Version).DefaultIfEmpty(0).Max() + 1;

    private static string? Latest(string directory, Modality modality) =>
        Versions(directory, modality).OrderByDescending(v => v.Version).Select(v => v.Path).FirstOrDefault();

    private static IEnumerable<(int Version, string Path)> Versions(string directory, Modality modality)
    {
        var folder = Path.Combine(directory, modality.ToWire(), "anomaly");
        if (!Directory.Exists(folder))
        {
            yield break;
        }

        foreach (var zip in Directory.EnumerateFiles(folder, "v*.zip"))
        {
            var m = VersionName().Match(Path.GetFileName(zip));
            if (m.Success && File.Exists(Path.ChangeExtension(zip, ".json")))
            {
                yield return (int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), zip);
            }
        }
    }

    [GeneratedRegex(@"^v(\d{1,9})\.zip$")]
    private static partial Regex VersionName();
}
