namespace EquipmentTwin.Edge.Sources;

/// <summary>
/// Counters of one source, shown by the status endpoint. The totals start from what the journal holds (so they
/// survive restarts); <see cref="LinesReadSinceStart"/> counts this process only.
/// </summary>
public sealed class SourceCounters(string device, string kind, string path)
{
    private long _linesRead;
    private long _linesRejected;
    private long _bytesLost;
    private long _losses;
    private long _linesReadSinceStart;
    private long _position;
    private long _length;
    private volatile IReadOnlyList<FollowedFile> _rotated = [];

    public string Device { get; } = device;
    public string Kind { get; } = kind;
    public string Path { get; } = path;
    public long LinesRead => Interlocked.Read(ref _linesRead);
    public long LinesRejected => Interlocked.Read(ref _linesRejected);
    public long BytesLost => Interlocked.Read(ref _bytesLost);
    public long Losses => Interlocked.Read(ref _losses);
    public long LinesReadSinceStart => Interlocked.Read(ref _linesReadSinceStart);
    public long Position => Interlocked.Read(ref _position);

    /// <summary>Length of the current file when last looked at (how far the writer is; <see cref="Position"/> is how far the agent is).</summary>
    public long Length => Interlocked.Read(ref _length);

    public string? CurrentFile { get; set; }

    /// <summary>Rotated files a tail source still follows or watches for late growth.</summary>
    public IReadOnlyList<FollowedFile> Rotated
    {
        get => _rotated;
        set => _rotated = value;
    }

    public SourceTotals Totals => new(LinesRead, LinesRejected, BytesLost, Losses);

    /// <summary>Continues from the counters journaled by the previous run.</summary>
    public void Restore(SourceTotals totals)
    {
        Interlocked.Exchange(ref _linesRead, totals.LinesRead);
        Interlocked.Exchange(ref _linesRejected, totals.LinesRejected);
        Interlocked.Exchange(ref _bytesLost, totals.BytesLost);
        Interlocked.Exchange(ref _losses, totals.Losses);
    }

    public void Add(int read, int rejected)
    {
        Interlocked.Add(ref _linesRead, read);
        Interlocked.Add(ref _linesReadSinceStart, read);
        Interlocked.Add(ref _linesRejected, rejected);
    }

    public void AddLoss(long bytes)
    {
        Interlocked.Add(ref _bytesLost, bytes);
        Interlocked.Increment(ref _losses);
    }

    public void SetPosition(long offset) => Interlocked.Exchange(ref _position, offset);

    public void SetLength(long length) => Interlocked.Exchange(ref _length, length);
}

