using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Storage;

/// <summary>One decoded message to be written by <see cref="ITelemetryStore.WriteAsync"/>.</summary>
public abstract record IngestItem(DateTimeOffset ReceivedAt);

/// <summary>A logs batch (only its valid records) for a device; <see cref="Rejected"/> keeps its bad records aside, written only when the batch is new.</summary>
public sealed record BatchItem(string Site, string DeviceId, LogBatch Batch, DateTimeOffset ReceivedAt, QuarantineItem? Rejected = null) : IngestItem(ReceivedAt);

public sealed record NameplateItem(string Site, string DeviceId, Nameplate Nameplate, DateTimeOffset ReceivedAt) : IngestItem(ReceivedAt);

public sealed record MaintenanceItem(string Site, string DeviceId, MaintenanceRecord Record, DateTimeOffset ReceivedAt) : IngestItem(ReceivedAt);

public sealed record StatusItem(string Site, string DeviceId, DeviceStatus Status, DateTimeOffset ReceivedAt) : IngestItem(ReceivedAt);

/// <summary>
/// A payload, or the bad records of one, kept aside with the reason. <see cref="WholePayload"/> is false when the good
/// records of the batch were stored. <see cref="Payload"/> may be only the head of what arrived: <see cref="PayloadBytes"/>
/// and <see cref="Sha256"/> (lower-case hex) describe the whole payload.
/// </summary>
public sealed record QuarantineItem(string Topic, string Reason, string Detail, byte[] Payload, bool WholePayload, int RecordsRejected, DateTimeOffset ReceivedAt,
    long PayloadBytes = -1, string? Sha256 = null) : IngestItem(ReceivedAt)
{
    /// <summary>Size of the whole payload (the kept bytes when not given).</summary>
    public long TotalBytes => PayloadBytes >= 0 ? PayloadBytes : Payload.Length;
}

/// <summary>What became of one item in a write.</summary>
public enum WriteOutcome
{
    Stored,
    Duplicate,
    Quarantined,
}
