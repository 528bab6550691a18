namespace EquipmentTwin.Analytics.Knowledge;

/// <summary>
/// Gate on the latest value of another signal (e.g. "only while transmitting"); a value older than
/// <see cref="MaxAgeMs"/> does not open the gate, so a device that stopped scanning is not "scanning".
/// </summary>
public sealed record WhileCondition(string Signal, Comparison Comparison, long? MaxAgeMs);
