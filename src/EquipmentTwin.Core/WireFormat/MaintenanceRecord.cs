namespace EquipmentTwin.Core.WireFormat;

/// <summary>What an engineer did to a device.</summary>
public enum MaintenanceAction
{
    /// <summary>Scheduled preventive visit (inspection, adsorber change, top-off).</summary>
    Service,

    /// <summary>A fault was repaired in place.</summary>
    Repair,

    /// <summary>A component was replaced (tube, cold head, battery).</summary>
    Replace,

    /// <summary>A setting was adjusted (flow, pressure, calibration): the fault is dealt with in place, like a repair.</summary>
    Adjust,

    /// <summary>An engineer inspected the component and found nothing wrong.</summary>
    NoFaultFound,
}

/// <summary>A maintenance record as an engineer enters it, published on <c>maintenance</c>.</summary>
public sealed record MaintenanceRecord(long TimestampMs, string Component, MaintenanceAction Action, string? Text, string? Engineer)
{
    public DateTimeOffset Timestamp => DateTimeOffset.FromUnixTimeMilliseconds(TimestampMs);
}

public static class MaintenanceActionNames
{
    public static string ToWire(this MaintenanceAction action) => action switch
    {
        MaintenanceAction.Service => "service",
        MaintenanceAction.Repair => "repair",
        MaintenanceAction.Replace => "replace",
        MaintenanceAction.Adjust => "adjust",
        MaintenanceAction.NoFaultFound => "no-fault-found",
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, null),
    };

    public static bool TryParse(string? text, out MaintenanceAction action)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "service": action = MaintenanceAction.Service; return true;
            case "repair": action = MaintenanceAction.Repair; return true;
            case "replace" or "replaced": action = MaintenanceAction.Replace; return true;
            case "repaired": action = MaintenanceAction.Repair; return true;
            case "adjust" or "adjusted": action = MaintenanceAction.Adjust; return true;
            case "no-fault-found" or "no_fault_found" or "nff": action = MaintenanceAction.NoFaultFound; return true;
            default: action = default; return false;
        }
    }
}
