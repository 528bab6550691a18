using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Analytics.Engines;

/// <summary>Which kind of reasoning produced a piece of evidence.</summary>
public enum EngineKind
{
    /// <summary>Deductive: device knowledge as rules (thresholds, rates, event patterns).</summary>
    Rules,

    /// <summary>Deductive, calibrated: physical laws fitted to the device's own data.</summary>
    Physics,

    /// <summary>Inductive: learned normal behaviour; flags what no rule names.</summary>
    Anomaly,

    /// <summary>Inductive, fleet-level: remaining useful life learned from run-to-failure histories.</summary>
    Rul,
}

/// <summary>A value that made an engine speak: a signal reading, a fitted slope, an event count.</summary>
public readonly record struct Reading(string Name, double Value, long TimestampMs);

/// <summary>
/// What one engine currently says about one component of one device. Engines replace their evidence as
/// data arrives; an engine that stops reporting a (component, source) has withdrawn that evidence.
/// </summary>
public sealed record Evidence(
    EngineKind Engine,
    string Source,
    string Component,
    long SinceMs,
    long UpdatedMs,
    double Confidence,
    Severity Severity,
    string Summary,
    IReadOnlyList<Reading> Readings,
    Forecast? Forecast = null);

/// <summary>
/// When a component is expected to cross its failure threshold, with an uncertainty band (10/50/90 %
/// quantiles of the crossing time), and the fitted model behind it.
/// </summary>
public sealed record Forecast(
    string Component,
    string Signal,
    double Threshold,
    ThresholdDirection Direction,
    long P10Ms,
    long P50Ms,
    long P90Ms,
    string Model,
    IReadOnlyDictionary<string, double> Parameters,
    double RSquared,
    int Points,
    long ComputedAtMs)
{
    /// <summary>5 % quantile of the crossing time, when the band was calibrated per quantile (docs/models-physics.md).</summary>
    public long? P05Ms { get; init; }

    /// <summary>25 % quantile: with <see cref="P75Ms"/> the central 50 % band.</summary>
    public long? P25Ms { get; init; }

    /// <summary>75 % quantile.</summary>
    public long? P75Ms { get; init; }

    /// <summary>95 % quantile: with <see cref="P05Ms"/> the central 90 % band.</summary>
    public long? P95Ms { get; init; }
}

public enum ThresholdDirection
{
    Above,
    Below,
}

/// <summary>A problem with the data rather than the machine: a stuck sensor, spikes, a dropped channel.</summary>
public sealed record DataQualityIssue(string Signal, DataQualityKind Kind, long SinceMs, long UpdatedMs, string Summary);

public enum DataQualityKind
{
    Stuck,
    Spikes,
    Dropout,
}
