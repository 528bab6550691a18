namespace EquipmentTwin.Analytics.Learning;

/// <summary>
/// What a person said about a device's past, as training sees it: a false alarm (the span is known healthy), a
/// confirmed fault (the weeks before it are not healthy), no fault found, or a maintenance visit. Times are event time.
/// </summary>
public sealed record TrainingLabel(string Kind, string DeviceId, long AtMs, long? UntilMs = null)
{
    public const string FalseAlarm = "false-alarm";
    public const string ConfirmedFault = "confirmed-fault";
    public const string NoFault = "no-fault";
    public const string Maintenance = "maintenance";
}
