namespace EquipmentTwin.Analytics.Fusion;

/// <summary>Lifecycle of a maintenance alert: open → acknowledged → resolved or false alarm.</summary>
public enum AlertState
{
    Open,
    Acknowledged,
    Resolved,
    FalseAlarm,
}

public static class AlertStateNames
{
    public static string ToWire(this AlertState state) => state switch
    {
        AlertState.Open => "open",
        AlertState.Acknowledged => "acknowledged",
        AlertState.Resolved => "resolved",
        AlertState.FalseAlarm => "false-alarm",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    public static bool IsClosed(this AlertState state) => state is AlertState.Resolved or AlertState.FalseAlarm;
}

/// <summary>Why an alert was published: it opened, its evidence or forecast changed, or its state changed.</summary>
public enum AlertChangeKind
{
    Opened,
    Updated,
    Acknowledged,
    Resolved,
    FalseAlarm,
}
