namespace EquipmentTwin.Core.Twins;

/// <summary>
/// A component's remaining useful life as a learned RUL model sees it at the end of the device's last complete day
/// (event time <see cref="AsOfMs"/>): P10 ≤ P50 ≤ P90 in days, the model and version, how many daily rows it saw,
/// and whether the band counts as near (P10 within the horizon, which makes it fusion evidence).
/// </summary>
public sealed record TwinRul(string Component, string Model, long AsOfMs, double P10Days, double P50Days, double P90Days, int Days, bool Near, double HorizonDays);
