using EquipmentTwin.Simulator.Fleets;

namespace EquipmentTwin.Simulator.Faults;

public enum FaultState
{
    Pending,
    Active,
    Failed,
    Repaired,
    Ended,
}

/// <summary>A scenario injected on one device: its own onset, duration, progress and outcome (the ground truth).</summary>
public sealed class FaultInstance
{
    public required string Id { get; init; }
    public required string DeviceId { get; init; }
    public required FaultScenario Scenario { get; init; }
    public required string Component { get; init; }
    public required long OnsetMs { get; init; }
    public required double DurationDays { get; init; }
    public required RepairPolicy Repair { get; init; }

    public FaultState State { get; internal set; }

    /// <summary>Progress p: 0 at onset, 1 at the end of the drawn duration.</summary>
    public double Progress { get; internal set; }

    /// <summary>Severity d(p) from the progression law, in [0, 1].</summary>
    public double Severity { get; internal set; }

    public long? FailureMs { get; internal set; }
    public long? RepairMs { get; internal set; }
    public long? EndMs { get; internal set; }

    internal long? RepairDueMs { get; set; }
    internal long LastUpdateMs { get; set; }
    internal long LastUsageSeconds { get; set; }
    internal int[] ParamIndex { get; set; } = [];
    internal int[] FailureParamIndex { get; set; } = [];
    internal int[] EventIndex { get; set; } = [];
    internal long[] LastRuleMs { get; set; } = [];
    internal int SensorSignal { get; set; } = -1;
}
