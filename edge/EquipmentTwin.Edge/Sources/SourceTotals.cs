namespace EquipmentTwin.Edge.Sources;

/// <summary>Counters of one source since it was first configured, journaled with its positions so a restart (even after kill -9) neither loses nor repeats them.</summary>
public readonly record struct SourceTotals(long LinesRead, long LinesRejected, long BytesLost, long Losses)
{
    /// <summary>Each counter only grows, so the larger of two snapshots is the later one.</summary>
    public static SourceTotals Max(SourceTotals a, SourceTotals b) =>
        new(Math.Max(a.LinesRead, b.LinesRead), Math.Max(a.LinesRejected, b.LinesRejected), Math.Max(a.BytesLost, b.BytesLost), Math.Max(a.Losses, b.Losses));
}
