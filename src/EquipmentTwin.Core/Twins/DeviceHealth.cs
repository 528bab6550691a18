namespace EquipmentTwin.Core.Twins;

/// <summary>A device's health from its open alerts, in the words engineers use: ok, watch, at risk, critical.</summary>
public enum DeviceHealth
{
    Ok,
    Watch,
    AtRisk,
    Critical,
}

public static class DeviceHealthNames
{
    public static string ToWire(this DeviceHealth health) => health switch
    {
        DeviceHealth.Ok => "ok",
        DeviceHealth.Watch => "watch",
        DeviceHealth.AtRisk => "at-risk",
        DeviceHealth.Critical => "critical",
        _ => throw new ArgumentOutOfRangeException(nameof(health), health, null),
    };
}
