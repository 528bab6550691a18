using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Core.Twins;

/// <summary>An open maintenance alert as the twin keeps it: enough to rank and list the device.</summary>
public sealed record TwinAlert(string Id, string Component, string State, Severity Severity, double Confidence, long OpenedMs, long? P50Ms);
