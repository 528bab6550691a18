namespace EquipmentTwin.Core.Twins;

/// <summary>A problem with a signal's data rather than with the machine (stuck, spikes, dropout).</summary>
public sealed record TwinDataQuality(string Signal, string Kind, long SinceMs, long UpdatedMs, string Summary);
