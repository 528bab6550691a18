namespace EquipmentTwin.Analytics.Rul;

/// <summary>A well-formed file that cannot train or feed a model (too few units, a column the model needs is absent).</summary>
public sealed class RulDataException(string message) : Exception(message);
