namespace EquipmentTwin.Analytics.Rul;

/// <summary>
/// The remaining useful life of one component as of <see cref="AsOfMs"/> (the end of the device's last complete
/// day, event time): P10 ≤ P50 ≤ P90 in days, the model that said it, and whether it counts as near.
/// </summary>
public sealed record RulBand(string Component, string Model, long AsOfMs, double P10Days, double P50Days, double P90Days, int Days, bool Near)
{
    public long P10Ms => AsOfMs + (long)(P10Days * Core.Histories.DailySignalMeans.DayMs);
    public long P50Ms => AsOfMs + (long)(P50Days * Core.Histories.DailySignalMeans.DayMs);
    public long P90Ms => AsOfMs + (long)(P90Days * Core.Histories.DailySignalMeans.DayMs);
}
