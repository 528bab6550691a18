using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Service.Models;

/// <summary>The registry's kinds of model: one champion each.</summary>
public static class ModelKinds
{
    public const string Rules = "rules";
    public const string Physics = "physics";
    public const string AnomalyPrefix = "anomaly-";

    public static string Anomaly(Modality modality) => AnomalyPrefix + modality.ToWire();

    public static Modality? AnomalyModality(string kind) =>
        kind.StartsWith(AnomalyPrefix, StringComparison.Ordinal) && ModalityNames.TryParse(kind[AnomalyPrefix.Length..], out var m) ? m : null;
}
