namespace EquipmentTwin.Core.Twins;

/// <summary>
/// The analysed part of a twin's dynamic state, replaced whole by analytics: health, forecasts, open
/// alerts, data quality and the versions of the models that produced them, as of <see cref="EventTimeMs"/>.
/// </summary>
public sealed record TwinAnalysis(
    DeviceHealth Health,
    long? EventTimeMs,
    IReadOnlyList<TwinForecast> Forecasts,
    IReadOnlyList<TwinAlert> OpenAlerts,
    IReadOnlyList<TwinDataQuality> DataQuality,
    IReadOnlyDictionary<string, string> ModelVersions)
{
    public static TwinAnalysis Empty { get; } = new(DeviceHealth.Ok, null, [], [], [], new Dictionary<string, string>());

    /// <summary>The latest RUL band of each component a learned RUL model covers, near or not.</summary>
    public IReadOnlyList<TwinRul> RemainingLife { get; init; } = [];

    /// <summary>
    /// Risk for ranking a fleet: soonest P50 crossing of an open alert's forecast, weighted by the alert's confidence
    /// (a sure failure in 10 days ranks above a doubtful one in 5), then severity. Higher is riskier; 0 means nothing open.
    /// </summary>
    public double Risk(long nowMs)
    {
        var risk = 0.0;
        foreach (var a in OpenAlerts)
        {
            // Days left to the P50 crossing; without a forecast an open alert counts as 30 days out.
            var days = a.P50Ms is { } p50 ? Math.Max(0.25, (p50 - nowMs) / 86_400_000.0) : 30;
            var r = a.Confidence / days * 100 + (int)a.Severity * 0.001;
            risk = Math.Max(risk, r);
        }

        return Math.Round(risk, 3);
    }
}
