namespace EquipmentTwin.Simulator.Simulation;

/// <summary>How much a simulated device logs.</summary>
public enum SimulationDetail
{
    /// <summary>Every line as a real machine logs it (1 s gradient and anode values while working, per-scan values, per-minute cryogenics).</summary>
    Full,

    /// <summary>Same physics and events, but each non-event signal at most once per 5 minutes of event time (the value at that instant).</summary>
    Summary,
}

/// <summary>Seed, time range and detail of one simulation run.</summary>
public sealed record SimulationOptions
{
    public int Seed { get; init; } = 1;

    /// <summary>Event-time start; null takes the fleet's start, else 2026-01-05T00:00:00Z. Truncated to the minute.</summary>
    public DateTimeOffset? Start { get; init; }

    /// <summary>Length in days (fractions allowed); null takes the fleet's days, else 30.</summary>
    public double? Days { get; init; }

    public SimulationDetail Detail { get; init; } = SimulationDetail.Full;

    /// <summary>Devices simulated in parallel within a tick; 1 for a single core. Output order and content do not depend on it.</summary>
    public int Parallelism { get; init; } = Environment.ProcessorCount;

    public static readonly DateTimeOffset DefaultStart = new(2026, 1, 5, 0, 0, 0, TimeSpan.Zero);
}
