namespace EquipmentTwin.Edge.Sources;

/// <summary>Live counters of one source, shown by the status endpoint.</summary>
public sealed class SourceCounters(string device, string kind, string path)
{
    private long _linesRead;
    private long _linesRejected;
    private long _position;

    public string Device { get; } = device;
    public string Kind { get; } = kind;
    public string Path { get; } = path;
    public long LinesRead => Interlocked.Read(ref _linesRead);
    public long LinesRejected => Interlocked.Read(ref _linesRejected);
    public long Position => Interlocked.Read(ref _position);
    public string? CurrentFile { get; set; }

    public void Add(int read, int rejected)
    {
        Interlocked.Add(ref _linesRead, read);
        Interlocked.Add(ref _linesRejected, rejected);
    }

    public void SetPosition(long offset) => Interlocked.Exchange(ref _position, offset);
}
