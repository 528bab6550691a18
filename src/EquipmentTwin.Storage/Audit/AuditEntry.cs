namespace EquipmentTwin.Storage.Audit;

/// <summary>
/// One change of an alert: who made it (an authenticated engineer, or the system), when in wall time and
/// in the device's event time, what changed (from → to) and why.
/// </summary>
public sealed record AuditEntry(
    long Id,
    string AlertId,
    string DeviceId,
    string Actor,
    DateTimeOffset WallTime,
    long EventTimeMs,
    string Action,
    string? FromState,
    string ToState,
    string? Comment);
