using EquipmentTwin.Core.Twins;
using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Storage;

public readonly record struct SignalPoint(long TimestampMs, double Value);

public sealed record StoredEvent(long TimestampMs, string Code, Severity Severity, string? Text);

/// <summary>What the store keeps of a device for the twin registry to start from.</summary>
public sealed record DeviceSnapshot(
    string DeviceId,
    string Site,
    Nameplate? Nameplate,
    bool? Online,
    DateTimeOffset? StatusAt,
    DateTimeOffset? LastReceivedAt,
    IReadOnlyDictionary<string, SignalReading> Latest);

/// <summary>A quarantined payload: <see cref="Payload"/> is its head (or all of it when small), <see cref="PayloadBytes"/> and <see cref="Sha256"/> describe the whole.</summary>
public sealed record QuarantineEntry(long Id, DateTimeOffset ReceivedAt, string Topic, string Reason, string Detail, bool WholePayload, int RecordsRejected, byte[] Payload,
    long PayloadBytes, string? Sha256);

/// <summary>Ingest counts since the store was created; they survive restarts because they are written with the data.</summary>
public sealed record IngestCounters(
    long BatchesAccepted,
    long RecordsAccepted,
    long DuplicatesDropped,
    long PayloadsRejected,
    long RecordsRejected,
    long Nameplates,
    long Statuses,
    long Maintenance,
    long ReadingsReplaced = 0);

/// <summary>Per source: the highest sequence number stored and how many batches.</summary>
public sealed record IngestPosition(string Source, long MaxSeq, long Batches, DateTimeOffset LastReceivedAt);
