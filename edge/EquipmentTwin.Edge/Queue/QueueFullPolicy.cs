namespace EquipmentTwin.Edge.Queue;

/// <summary>What the disk queue does when it holds <c>Queue:MaxBytes</c> of unacknowledged batches (docs/edge.md, "Queue full").</summary>
public enum QueueFullPolicy
{
    /// <summary>Stop reading the sources until the broker acknowledges: the vendor's files are the overflow buffer. The default.</summary>
    Backpressure,

    /// <summary>Drop the oldest unacknowledged batches, counted in <c>droppedBatches</c> and logged as errors.</summary>
    DropOldest,
}
