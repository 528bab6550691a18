using System.Text.Json.Serialization;

namespace EquipmentTwin.Evaluation;

/// <summary>Scores of one engine alone, or of the fused alerts. Keys and shape are a stable contract (docs/models.md).</summary>
public sealed record EngineScore(
    double Recall,
    double? LeadTimeDaysMedian,
    double? LeadTimeDaysP10,
    double FalseAlarmsPer100DeviceMonths,
    double? BandCoverage80,
    int Foreseen,
    int Failures,
    int FalseAlarms,
    int Alerts);

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
    IReadOnlyDictionary<string, BandDto?> Band);

/// <summary>The P10/P50/P90 crossing times of the forecast the first alert carried.</summary>
public sealed record BandDto(string P10, string P50, string P90, string Model);

/// <summary>An alert with no machine fault behind it.</summary>
public sealed record FalseAlarm(string View, string AlertId, string Device, string Component, string Opened, string Severity, string Summary);

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
    [property: JsonPropertyName("timing")] BacktestTiming Timing);
