namespace EquipmentTwin.Edge.Queue;

/// <summary>An unacknowledged batch in the journal: where it is on disk and what the publisher needs to know about it.</summary>
public sealed class JournalEntry(long ordinal, long segmentId, long offset, int length, long seq, long createdAtMs)
{
    public long Ordinal { get; } = ordinal;
    public long SegmentId { get; } = segmentId;
    public long Offset { get; } = offset;
    public int Length { get; } = length;
    public long Seq { get; } = seq;
    public long CreatedAtMs { get; } = createdAtMs;

    /// <summary>Acknowledged by the broker, or dropped by the queue-full policy.</summary>
    public bool Done { get; internal set; }
}
