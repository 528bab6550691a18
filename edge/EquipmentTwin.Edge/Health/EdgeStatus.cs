using System.Text.Json.Serialization;
using EquipmentTwin.Edge.Sources;

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
    [property: JsonPropertyName("at")] string At)
{
    /// <summary>Bytes of vendor logs the agent could not read, all sources, since they were configured (see <see cref="RecentLosses"/>).</summary>
    [JsonPropertyName("bytesLost")]
    public long BytesLost { get; init; }

    /// <summary>Losses the agent could not prevent, all sources, since they were configured.</summary>
    [JsonPropertyName("lossEvents")]
    public long LossEvents { get; init; }

    /// <summary>The latest losses (also of earlier runs): file, byte range, reason.</summary>
    [JsonPropertyName("recentLosses")]
    public IReadOnlyList<LossEvent> RecentLosses { get; init; } = [];
}

/// <summary>Counters of one source.</summary>
public sealed record SourceStatus(
    [property: JsonPropertyName("device")] string Device,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("file")] string? File,
    [property: JsonPropertyName("linesRead")] long LinesRead,
    [property: JsonPropertyName("linesRejected")] long LinesRejected,
    [property: JsonPropertyName("position")] long Position)
{
    /// <summary>Lines read by this process (<see cref="LinesRead"/> counts since the source was configured, across restarts).</summary>
    [JsonPropertyName("linesReadSinceStart")]
    public long LinesReadSinceStart { get; init; }

    /// <summary>Length of the current file when last looked at: the writer's position, where <see cref="Position"/> is the agent's.</summary>
    [JsonPropertyName("length")]
    public long Length { get; init; }

    [JsonPropertyName("bytesLost")]
    public long BytesLost { get; init; }

    [JsonPropertyName("losses")]
    public long Losses { get; init; }

    /// <summary>Rotated files still followed (<c>open</c>) or watched for late growth.</summary>
    [JsonPropertyName("rotated")]
    public IReadOnlyList<FollowedFile> Rotated { get; init; } = [];
}
