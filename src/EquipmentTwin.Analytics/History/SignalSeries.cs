namespace EquipmentTwin.Analytics.History;

/// <summary>
/// A ring buffer of fixed-step aggregates (5 min or 1 h) of one signal; the oldest fall off, so memory per
/// device is bounded whatever runs through it.
/// </summary>
public sealed class SignalSeries
{
    private readonly SeriesPoint[] _points;
    private readonly long[] _slotBucket;
    private long _newestBucket = long.MinValue;

    public SignalSeries(long stepMs, int capacity)
    {
        StepMs = stepMs;
        _points = new SeriesPoint[capacity];
        _slotBucket = new long[capacity];
        Array.Fill(_slotBucket, long.MinValue);
    }

    public long StepMs { get; }
    public int Capacity => _points.Length;

    /// <summary>Start of the newest stored interval, or null when empty.</summary>
    public long? NewestStartMs => _newestBucket == long.MinValue ? null : _newestBucket * StepMs;

    public void Add(in SeriesPoint point)
    {
        var bucket = Math.DivRem(point.StartMs, StepMs).Quotient;
        if (_newestBucket != long.MinValue && bucket <= _newestBucket - Capacity)
        {
            return; // older than what the ring keeps
        }

        var slot = (int)(((bucket % Capacity) + Capacity) % Capacity);
        _points[slot] = point;
        _slotBucket[slot] = bucket;
        if (bucket > _newestBucket)
        {
            _newestBucket = bucket;
        }
    }

    public bool TryGetLatest(out SeriesPoint point)
    {
        point = default;
        if (_newestBucket == long.MinValue)
        {
            return false;
        }

        var slot = (int)(((_newestBucket % Capacity) + Capacity) % Capacity);
        point = _points[slot];
        return true;
    }

    /// <summary>Stored points whose interval starts at or after <paramref name="fromMs"/>, oldest first.</summary>
    public List<SeriesPoint> Since(long fromMs)
    {
        var list = new List<SeriesPoint>();
        CopySince(fromMs, list);
        return list;
    }

    public void CopySince(long fromMs, List<SeriesPoint> destination)
    {
        if (_newestBucket == long.MinValue)
        {
            return;
        }

        var first = Math.Max(_newestBucket - Capacity + 1, FloorDiv(fromMs, StepMs) + (fromMs % StepMs == 0 ? 0 : 1));
        for (var b = first; b <= _newestBucket; b++)
        {
            var slot = (int)(((b % Capacity) + Capacity) % Capacity);
            if (_slotBucket[slot] == b)
            {
                destination.Add(_points[slot]);
            }
        }
    }

    /// <summary>Forgets everything before <paramref name="fromMs"/> (after a repair the old law no longer holds).</summary>
    public void ClearBefore(long fromMs)
    {
        var cut = FloorDiv(fromMs, StepMs);
        for (var i = 0; i < _slotBucket.Length; i++)
        {
            if (_slotBucket[i] != long.MinValue && _slotBucket[i] < cut)
            {
                _slotBucket[i] = long.MinValue;
            }
        }
    }

    private static long FloorDiv(long a, long b) => a >= 0 ? a / b : -((-a + b - 1) / b);
}
