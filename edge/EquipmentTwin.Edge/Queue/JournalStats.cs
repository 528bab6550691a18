namespace EquipmentTwin.Edge.Queue;

/// <summary>A snapshot of the disk queue for the status endpoint and metrics.</summary>
public sealed record JournalStats(
    int DepthBatches,
    long PendingBytes,
    long DiskBytes,
    int Segments,
    double OldestUnsentAgeSeconds,
    DateTimeOffset? LastAckAt,
    long AckedBatches,
    long DroppedBatches,
    long CorruptEntries,
    bool BackPressured,
    long MaxBytes);
