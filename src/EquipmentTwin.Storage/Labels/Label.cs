using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Storage.Labels;

/// <summary>
/// What a person (or a record they made) says about a device's past, for the models to learn from and be
/// validated against: <see cref="Kind"/> is <c>false-alarm</c> (an alert that was not a fault),
/// <c>confirmed-fault</c> (a repair, replacement or adjustment), <c>no-fault</c> (inspected, nothing wrong) or
/// <c>maintenance</c> (a scheduled visit). <see cref="AtMs"/> and <see cref="UntilMs"/> are event time; the
/// provenance is who said it, when (wall time) and through what (<see cref="Source"/>).
/// </summary>
public sealed record Label(
    string Kind,
    string DeviceId,
    string Component,
    long AtMs,
    long? UntilMs,
    string? AlertId,
    string Who,
    DateTimeOffset RecordedAt,
    string Source,
    string? Comment)
{
    public const string FalseAlarm = "false-alarm";
    public const string ConfirmedFault = "confirmed-fault";
    public const string NoFault = "no-fault";
    public const string Maintenance = "maintenance";

    public static readonly string[] Kinds = [FalseAlarm, ConfirmedFault, NoFault, Maintenance];

    /// <summary>The label a maintenance record makes: a repair, replacement or adjustment confirms a fault of its component.</summary>
    public static Label FromMaintenance(string deviceId, MaintenanceRecord record, DateTimeOffset recordedAt, string source) => new(
        record.Action switch
        {
            MaintenanceAction.Repair or MaintenanceAction.Replace or MaintenanceAction.Adjust => ConfirmedFault,
            MaintenanceAction.NoFaultFound => NoFault,
            _ => Maintenance,
        },
        deviceId, record.Component, record.TimestampMs, null, null, record.Engineer is { Length: > 0 } e ? e : "unknown", recordedAt, source,
        record.Action.ToWire() + (record.Text is { Length: > 0 } t ? ": " + t : ""));
}
