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
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, null),
    };

    public static bool TryParse(string? text, out MaintenanceAction action)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "service": action = MaintenanceAction.Service; return true;
            case "repair": action = MaintenanceAction.Repair; return true;
            case "replace": action = MaintenanceAction.Replace; return true;
            default: action = default; return false;
        }
    }
}
