using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Analytics.Rul;

/// <summary>A RUL model in service: the registry kind and version it came from, and the modality and component it covers.</summary>
public sealed record RulComponentModel(string Kind, int Version, Modality Modality, string Component, RulModel Model)
{
    public const string KindPrefix = "rul-";

    public string Name => $"{Kind} v{Version}";

    /// <summary>
    /// The modality and component a kind covers: <c>rul-{modality}-{component}</c>, the name <c>twin rul fit</c>
    /// gives a model fitted on the file <c>twin simulate --mode histories</c> writes (<c>{modality}-{component}.csv</c>).
    /// </summary>
    public static bool TryParseKind(string kind, out Modality modality, out string component)
    {
        modality = default;
        component = "";
        if (!kind.StartsWith(KindPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = kind[KindPrefix.Length..];
        var dash = rest.IndexOf('-', StringComparison.Ordinal);
        if (dash <= 0 || dash == rest.Length - 1 || !ModalityNames.TryParse(rest[..dash], out modality))
        {
            return false;
        }

        component = rest[(dash + 1)..];
        return true;
    }
}
