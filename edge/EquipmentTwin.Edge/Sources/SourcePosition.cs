namespace EquipmentTwin.Edge.Sources;

/// <summary>
/// How far a file source has read: the file (path and identity: device and inode) and the byte offset after the last
/// line taken. <see cref="Fingerprint"/> names the file's first bytes, so a copy or a compressed copy of it can be
/// recognised; <see cref="Totals"/> are the source's counters up to this position, so they survive restarts exactly.
/// An offset below zero is a tombstone: the journal forgets the key.
/// </summary>
public sealed record SourcePosition(string Key, string Path, string Identity, long Offset)
{
    public string Fingerprint { get; init; } = "";

    public SourceTotals Totals { get; init; }

    public bool IsTombstone => Offset < 0;

    /// <summary>A position that tells the journal to forget <paramref name="key"/> (a rotated file that is gone).</summary>
    public static SourcePosition Forget(string key) => new(key, "", "", -1);
}
