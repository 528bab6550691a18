using System.Text.Json.Serialization;

namespace EquipmentTwin.Evaluation;

/// <summary>Scores of one engine alone, or of the fused alerts. Keys and shape are a stable contract (docs/models.md).</summary>
/// <param name="Misattributed">Alerts on a faulty device that named a component outside the fault's replaceable unit (counted in <paramref name="FalseAlarms"/> too).</param>
/// <param name="BandCoverage50">Share of foreseen failures inside the central 50 % of the first forecast's crossing-time distribution.</param>
/// <param name="BandCoverage90">The same for the central 90 %.</param>
/// <param name="DailyForecasts">Forecasts for the failed component's unit that the view's open alerts on the device carried, sampled daily from onset − 1 day to the failure.</param>
/// <param name="DailyBandCoverage50">Share of those forecasts whose central 50 % held the failure (every forecast shown before it, not only the first).</param>
/// <param name="BandCoverageCalibratedRange">
/// Per band level ("50", "80", "90"), the 5 % and 95 % quantiles of the share a perfectly calibrated band would hold with
/// <paramref name="WithBand"/> first forecasts (binomial): a measured share inside it is what such a band does nine runs in
/// ten; with 15 forecasts an 80 % band holds anywhere from 0.60 to 0.93.
/// </param>
public sealed record EngineScore(
    double Recall,
    double? LeadTimeDaysMedian,
    double? LeadTimeDaysP10,
    double FalseAlarmsPer100DeviceMonths,
    double? BandCoverage80,
    int Foreseen,
    int Failures,
    int FalseAlarms,
    int Alerts,
    int Misattributed = 0,
    double? BandCoverage50 = null,
    double? BandCoverage90 = null,
    int WithBand = 0,
    int DailyForecasts = 0,
    double? DailyBandCoverage50 = null,
    double? DailyBandCoverage80 = null,
    double? DailyBandCoverage90 = null,
    IReadOnlyDictionary<string, double[]>? BandCoverageCalibratedRange = null);

/// <summary>One engine's scores on the faults of one scenario.</summary>
public sealed record ScenarioScore(
    string Scenario,
    string Engine,
    string Kind,
    int Faults,
    int Failures,
    int Foreseen,
    double? Recall,
    double? LeadTimeDaysMedian,
    double? LeadTimeDaysP10,
    int Misattributed,
    IReadOnlyList<double?> LeadTimesDays);

/// <summary>One injected fault and when each view first alerted on it (null: not before the failure).</summary>
public sealed record FaultScore(
    string Id,
    string Device,
    string Component,
    string Scenario,
    string Kind,
    string Onset,
    string? Failure,
    string? Repair,
    IReadOnlyDictionary<string, string?> FirstAlert,
    IReadOnlyDictionary<string, double?> LeadTimeDays,
    IReadOnlyDictionary<string, bool?> BandCovered,
    IReadOnlyDictionary<string, BandDto?> Band)
{
    /// <summary>
    /// Per view, every forecast for the fault's unit an open alert on the device carried before the failure, sampled daily
    /// from onset − 1 day (the forecasts <see cref="EngineScore.DailyBandCoverage80"/> scores); null when the run did not
    /// sample them. Band tables can be calibrated on them (<c>twin calibrate-bands --forecasts daily</c>).
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<BandDto>>? DailyBands { get; init; }
}

/// <summary>
/// The P10/P50/P90 crossing times of the forecast the first alert carried, and when it was computed. <paramref name="FitP50"/>:
/// the fit's own median crossing when the published quantiles came from a calibrated table (the errors a table is
/// calibrated on are measured from it), null when P50 is the fit's. <paramref name="FitLogSd"/>: the fit's own log-spread of
/// the crossing time (without the model-form spread), which can widen a published quantile beyond the table's.
/// <paramref name="AgeDays"/>: days since the model's evidence began when the forecast was made, which chose the table
/// (null when no table was published).
/// </summary>
public sealed record BandDto(string P10, string P50, string P90, string Model, string? Computed = null, string? FitP50 = null, double? FitLogSd = null, double? AgeDays = null);

/// <summary>
/// An alert with no machine fault behind it on the component it named. <paramref name="Misattributed"/>: the device
/// had a machine fault developing (<paramref name="Fault"/>) but on a component the alert did not name.
/// <paramref name="Summary"/>: its evidence as it last stood; <paramref name="OpenedOn"/>: the evidence it opened on.
/// </summary>
public sealed record FalseAlarm(string View, string AlertId, string Device, string Component, string Opened, string Severity, string Summary, bool Misattributed = false, string? Fault = null, string? OpenedOn = null);

public sealed record BacktestTiming(double Seconds, long Records, double RecordsPerSecond, double TrainingSeconds);

/// <summary>What <c>twin evaluate</c> prints and writes with <c>--json</c>.</summary>
public sealed record BacktestReport(
    string Fleet,
    int Seed,
    double Days,
    string Start,
    string End,
    int Devices,
    double DeviceMonths,
    IReadOnlyDictionary<string, EngineScore> Engines,
    IReadOnlyList<FaultScore> Faults,
    IReadOnlyList<FalseAlarm> FalseAlarms,
    [property: JsonPropertyName("timing")] BacktestTiming Timing)
{
    /// <summary>Per scenario and engine: recall and lead time of its faults, misattributed alerts on its devices.</summary>
    public IReadOnlyList<ScenarioScore> Scenarios { get; init; } = [];
}
