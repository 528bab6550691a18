namespace EquipmentTwin.Simulator.Fleets;

/// <summary>A fleet file (seeds/fleets/*.json): sites and devices with their faults, service plan and repair policy.</summary>
public sealed record FleetDefinition
{
    public required string Name { get; init; }

    /// <summary>The file it was loaded from; error messages name it.</summary>
    public required string SourcePath { get; init; }

    public string? Description { get; init; }

    /// <summary>Default simulation start when the command line gives none.</summary>
    public DateTimeOffset? Start { get; init; }

    /// <summary>Default length in days when the command line gives none.</summary>
    public double? Days { get; init; }

    public required IReadOnlyList<SiteSpec> Sites { get; init; }
    public required IReadOnlyList<DeviceSpec> Devices { get; init; }
}

/// <summary>A hospital site: its id (topic segment) and local time offset.</summary>
public sealed record SiteSpec(string Id, string Name, double UtcOffsetHours);

/// <summary>A fault injected on one device: which scenario, when it starts and how the site repairs it.</summary>
public sealed record FaultAssignment
{
    public required string Scenario { get; init; }

    /// <summary>Onset in days from the simulation start; negative means the fault was already developing.</summary>
    public required double OnsetDays { get; init; }

    /// <summary>Onset → failure (machine) or onset → end (sensor) in days; null draws it from the scenario's range with the device's random stream.</summary>
    public double? DurationDays { get; init; }

    /// <summary>Component named by the fleet file; must belong to the device's modality and match the scenario's.</summary>
    public string? Component { get; init; }

    public required RepairPolicy Repair { get; init; }

    /// <summary>Position in the file, for error messages: <c>devices[3].faults[0]</c>.</summary>
    public required string Path { get; init; }
}

/// <summary>What the site does when a fault fails the device.</summary>
public sealed record RepairPolicy(RepairKind Kind, double DelayHours)
{
    public static RepairPolicy Default { get; } = new(RepairKind.Repair, 36);
}

public enum RepairKind
{
    /// <summary>An engineer repairs or replaces the component <see cref="RepairPolicy.DelayHours"/> after the failure.</summary>
    Repair,

    /// <summary>Nobody comes: the device stays down to the end of the run.</summary>
    None,
}
