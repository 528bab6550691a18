using System.Text.Json.Serialization;

namespace EquipmentTwin.Edge.Health;

/// <summary>The agent's local status: <c>GET /status</c> and <c>{DataDir}/status.json</c> (docs/edge.md, "Health").</summary>
public sealed record EdgeStatus(
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("queueDepthBatches")] int QueueDepthBatches,
    [property: JsonPropertyName("queueBytes")] long QueueBytes,
    [property: JsonPropertyName("queueMaxBytes")] long QueueMaxBytes,
    [property: JsonPropertyName("queueDiskBytes")] long QueueDiskBytes,
    [property: JsonPropertyName("queueFull")] bool QueueFull,
    [property: JsonPropertyName("oldestUnsentAgeSeconds")] double OldestUnsentAgeSeconds,
    [property: JsonPropertyName("lastAckAt")] string? LastAckAt,
    [property: JsonPropertyName("connected")] bool Connected,
    [property: JsonPropertyName("devicesOnline")] int DevicesOnline,
    [property: JsonPropertyName("batchesJournaled")] long BatchesJournaled,
    [property: JsonPropertyName("recordsJournaled")] long RecordsJournaled,
    [property: JsonPropertyName("batchesAcked")] long BatchesAcked,
    [property: JsonPropertyName("nextSeq")] long NextSeq,
    [property: JsonPropertyName("sources")] IReadOnlyList<SourceStatus> Sources,
    [property: JsonPropertyName("rejectedLines")] long RejectedLines,
    [property: JsonPropertyName("droppedBatches")] long DroppedBatches,
    [property: JsonPropertyName("deadLetteredBatches")] long DeadLetteredBatches,
    [property: JsonPropertyName("corruptJournalEntries")] long CorruptJournalEntries,
    [property: JsonPropertyName("syslogDropped")] long SyslogDropped,
    [property: JsonPropertyName("syslogUnmatched")] long SyslogUnmatched,
    [property: JsonPropertyName("at")] string At);

/// <summary>Counters of one source.</summary>
public sealed record SourceStatus(
    [property: JsonPropertyName("device")] string Device,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("file")] string? File,
    [property: JsonPropertyName("linesRead")] long LinesRead,
    [property: JsonPropertyName("linesRejected")] long LinesRejected,
    [property: JsonPropertyName("position")] long Position);
