namespace EquipmentTwin.Analytics.Knowledge;

/// <summary>
/// Gate on the latest value of another signal (e.g. "only while transmitting"); a value older than
/// <see cref="MaxAgeMs"/> does not open the gate, so a device that stopped scanning is not "scanning".
/// With <see cref="Unless"/> the gate is the other way round ("unless the compressor is stopped"): it closes only
/// on a fresh value for which the comparison holds, and stays open when the signal is not reported at all.
/// </summary>
public sealed record WhileCondition(string Signal, Comparison Comparison, long? MaxAgeMs, bool Unless = false);
