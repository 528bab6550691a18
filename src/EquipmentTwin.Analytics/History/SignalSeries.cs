using System.Runtime.CompilerServices;

namespace EquipmentTwin.Analytics.History;

/// <summary>
/// A ring of fixed-step aggregates (5 min, 1 h or 1 day) of one signal, kept compressed; the oldest fall off, so
/// memory per device is bounded whatever runs through it. It holds the points of the newest
/// <see cref="Capacity"/> steps, in step order, as one byte stream cut into segments that each begin with a point
/// coded on its own, so a read starts at the segment holding its first step and decodes forward, allocating nothing.
/// Every field is kept exactly (lossless, bit for bit): readings from a log carry a few decimals, so a value is kept
/// as an integer count of 10^-d (the smallest d ≤ 6 that gives the double back exactly) minus its prediction from
/// the previous point, in a zigzag varint; a mean as its sum in those units, divided back by the count, plus the
/// difference in units in the last place when the running sum drifted off the grid; anything else (NaN, values
/// with more decimals) as raw doubles. The scheme is the scaled-integer, delta-of-the-previous-point coding of
/// time-series stores (see Pelkonen et al., "Gorilla", VLDB 2015, for the XOR alternative it beats on decimal data).
/// A point's <see cref="SeriesPoint.StartMs"/> reads back as the start of its step.
/// </summary>
public sealed class SignalSeries
{
    /// <summary>Most points in one segment (the longest decode before a read's first point).</summary>
    public const int MaxSegmentPoints = 64;

    /// <summary>Bytes one point takes at most once coded (header, step, count, four values, mean correction).</summary>
    private const int MaxPointBytes = 1 + 10 + 10 + (4 * 10) + 10;

    private const int RawScale = 7;
    private const double MaxExact = 9e15; // below 2^53: every integer up to here is a double exactly

    private static readonly double[] Pow10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6];

    private readonly int _segmentPoints;
    private byte[] _data = [];
    private long _baseStep; // segments keep their first step relative to this, in 32 bits
    private int _start;
    private int _length;
    private Segment[] _segments = [];
    private int _segmentCount;
    private int _pointsInLastSegment;
    private int _count;
    private long _newestStep = long.MinValue;
    private Decoded _last; // the newest stored point: what the next one is coded against

    public SignalSeries(long stepMs, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(stepMs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        StepMs = stepMs;
        Capacity = capacity;
        _segmentPoints = Math.Clamp(capacity / 4, 4, MaxSegmentPoints);
    }

    public long StepMs { get; }

    /// <summary>How many steps the ring keeps at most.</summary>
    public int Capacity { get; }

    /// <summary>Points stored now, including those of the oldest segment that already fell out of the window.</summary>
    public int Count => _count;

    /// <summary>Bytes the stored points take now (the coded stream's buffer and the segment directory).</summary>
    public long StoredBytes => _data.Length + ((long)_segments.Length * Unsafe.SizeOf<Segment>());

    /// <summary>Start of the newest stored interval, or null when empty.</summary>
    public long? NewestStartMs => _count == 0 ? null : _last.Step * StepMs;

    public void Add(in SeriesPoint point)
    {
        var step = FloorDiv(point.StartMs, StepMs);
        if (_newestStep != long.MinValue && step <= _newestStep - Capacity)
        {
            return; // older than what the ring keeps
        }

        var value = new Decoded(step, point);
        _newestStep = Math.Max(_newestStep, step);
        if (_count == 0 || (step > _last.Step && (_pointsInLastSegment < _segmentPoints || step - _baseStep is > 0 and < int.MaxValue)))
        {
            Append(value);
        }
        else
        {
            Rewrite(value, long.MinValue); // late, or so far ahead that the steps need a new base
        }

        DropOldSegments();
    }

    public bool TryGetLatest(out SeriesPoint point)
    {
        if (_count == 0)
        {
            point = default;
            return false;
        }

        point = _last.ToPoint(StepMs);
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
        if (_count == 0)
        {
            return;
        }

        var first = Math.Max(_newestStep - Capacity + 1, FloorDiv(fromMs, StepMs) + (fromMs % StepMs == 0 ? 0 : 1));
        if (first > _last.Step)
        {
            return;
        }

        if (first == _last.Step)
        {
            destination.Add(_last.ToPoint(StepMs));
            return;
        }

        var cursor = new Cursor(this, SegmentOf(first), _segmentCount);
        while (cursor.MoveNext())
        {
            if (cursor.Current.Step >= first)
            {
                destination.Add(cursor.Current.ToPoint(StepMs));
            }
        }
    }

    /// <summary>Forgets everything before <paramref name="fromMs"/> (after a repair the old law no longer holds).</summary>
    public void ClearBefore(long fromMs)
    {
        if (_count > 0)
        {
            Rewrite(null, FloorDiv(fromMs, StepMs));
        }
    }

    private void Append(in Decoded value)
    {
        Span<byte> buffer = stackalloc byte[MaxPointBytes];
        var newSegment = _segmentCount == 0 || _pointsInLastSegment >= _segmentPoints;
        var written = Encode(buffer, newSegment ? Decoded.Start(value.Step) : _last, value, newSegment);
        EnsureRoom(written);
        if (newSegment)
        {
            if (_segmentCount == 0)
            {
                _baseStep = value.Step;
            }

            if (_segmentCount == _segments.Length)
            {
                // Never more than the window's worth of segments, one partly out of it and one filling.
                Array.Resize(ref _segments, Math.Min(Math.Max(2, _segmentCount * 2), ((Capacity + _segmentPoints - 1) / _segmentPoints) + 2));
            }

            _segments[_segmentCount++] = new Segment(_length, (int)(value.Step - _baseStep));
            _pointsInLastSegment = 0;
        }

        buffer[..written].CopyTo(_data.AsSpan(_length));
        _length += written;
        _pointsInLastSegment++;
        _count++;
        _last = value;
    }

    /// <summary>
    /// The slow path, for a point older than the newest (a late or repeated interval) and for clearing: decodes the
    /// window, puts <paramref name="value"/> in its place, drops points before <paramref name="cutStep"/>, codes anew.
    /// </summary>
    private void Rewrite(Decoded? value, long cutStep)
    {
        var points = new List<Decoded>(_count + 1);
        var oldest = _newestStep - Capacity + 1;
        var cursor = new Cursor(this, 0, _segmentCount);
        while (cursor.MoveNext())
        {
            var p = cursor.Current;
            if (p.Step >= oldest && p.Step >= cutStep && (value is not { } v || p.Step != v.Step))
            {
                points.Add(p);
            }
        }
        if (value is { } add)
        {
            var at = points.FindIndex(p => p.Step > add.Step);
            points.Insert(at < 0 ? points.Count : at, add);
        }

        _data = new byte[Math.Max(16, _length - _start + MaxPointBytes)];
        _start = _length = 0;
        _segments = [];
        _segmentCount = _pointsInLastSegment = _count = 0;
        _last = default;
        foreach (var p in points)
        {
            Append(p);
        }
    }

    /// <summary>Drops the oldest segments once the next segment already starts inside the window.</summary>
    private void DropOldSegments()
    {
        var oldest = _newestStep - Capacity + 1;
        var drop = 0;
        while (drop + 1 < _segmentCount && FirstStep(drop + 1) <= oldest)
        {
            drop++;
        }

        if (drop == 0)
        {
            return;
        }

        var cursor = new Cursor(this, 0, drop);
        while (cursor.MoveNext())
        {
            _count--;
        }

        _start = _segments[drop].Offset;
        Array.Copy(_segments, drop, _segments, 0, _segmentCount - drop);
        _segmentCount -= drop;
    }

    /// <summary>Makes room for <paramref name="bytes"/> more: slides the live stream to the front when a sixteenth of the buffer is dead, else grows by an eighth.</summary>
    private void EnsureRoom(int bytes)
    {
        if (_length + bytes <= _data.Length)
        {
            return;
        }

        var live = _length - _start;
        if (_start > 0 && _start >= _data.Length / 16 && live + bytes <= _data.Length)
        {
            Buffer.BlockCopy(_data, _start, _data, 0, live);
        }
        else
        {
            var size = Math.Max(live + bytes, live + (live / 8) + bytes);
            var grown = new byte[Math.Max(size, 16)];
            Buffer.BlockCopy(_data, _start, grown, 0, live);
            _data = grown;
        }

        for (var s = 0; s < _segmentCount; s++)
        {
            _segments[s] = _segments[s] with { Offset = _segments[s].Offset - _start };
        }

        _length = live;
        _start = 0;
    }

    /// <summary>Index of the segment holding <paramref name="step"/> (the last one starting at or before it; the first one when none does).</summary>
    private int SegmentOf(long step)
    {
        int lo = 0, hi = _segmentCount - 1;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) / 2;
            if (FirstStep(mid) <= step)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return lo;
    }

    // Header bits of a coded point.
    private const int StepIsNext = 1;       // step = previous + 1 (else varint(step - previous - 2) follows)
    private const int SameCount = 2;        // count as the previous point (else zigzag varint count follows)
    private const int ScaleShift = 2;       // 3 bits: decimals d (0–6), or RawScale for four raw doubles
    private const int Flat = 1 << 5;        // min = max = last, coded once
    private const int MeanIsLast = 1 << 6;  // mean = last exactly, not coded
    private const int Corrected = 1 << 7;   // the mean's correction in units in the last place follows

    /// <summary>Codes <paramref name="p"/> against <paramref name="prev"/> into <paramref name="dst"/>; returns the bytes written.</summary>
    private static int Encode(Span<byte> dst, in Decoded prev, in Decoded p, bool firstInSegment)
    {
        var w = new Writer(dst);
        var header = 0;
        var stepDelta = p.Step - prev.Step;
        if (firstInSegment || stepDelta == 1)
        {
            header |= StepIsNext;
        }

        if (p.Count == prev.Count)
        {
            header |= SameCount;
        }

        var flat = Same(p.Min, p.Max) && Same(p.Max, p.Last);
        var scale = flat ? ScaleOf(p.Last) : CommonScale(ScaleOf(p.Last), ScaleOf(p.Min), ScaleOf(p.Max));
        long meanUnits = 0, correction = 0;
        var meanIsLast = Same(p.Mean, p.Last);
        if (scale >= 0 && !meanIsLast && !TryMean(p.Mean, p.Count, scale, out meanUnits, out correction))
        {
            scale = -1;
        }

        if (scale < 0)
        {
            header |= RawScale << ScaleShift;
            w.Byte((byte)header);
            WriteStepAndCount(ref w, header, stepDelta, p.Count);
            w.Double(p.Mean);
            w.Double(p.Min);
            w.Double(p.Max);
            w.Double(p.Last);
            return w.Position;
        }

        header |= scale << ScaleShift;
        header |= flat ? Flat : 0;
        header |= meanIsLast ? MeanIsLast : 0;
        header |= correction != 0 ? Corrected : 0;
        w.Byte((byte)header);
        WriteStepAndCount(ref w, header, stepDelta, p.Count);
        if (!flat)
        {
            w.Signed(Units(p.Min, scale) - Predict(prev.Min, scale));
            w.Signed(Units(p.Max, scale) - Predict(prev.Max, scale));
        }

        w.Signed(Units(p.Last, scale) - Predict(prev.Last, scale));
        if (!meanIsLast)
        {
            w.Signed(meanUnits - PredictSum(prev.Mean, p.Count, scale));
            if (correction != 0)
            {
                w.Signed(correction);
            }
        }

        return w.Position;
    }

    private static void WriteStepAndCount(ref Writer w, int header, long stepDelta, int count)
    {
        if ((header & StepIsNext) == 0)
        {
            w.Unsigned((ulong)(stepDelta - 2));
        }

        if ((header & SameCount) == 0)
        {
            w.Signed(count);
        }
    }

    /// <summary>The sum behind <paramref name="mean"/> in units of 10^-scale, and how far (in ulps) dividing it back lands from the mean.</summary>
    private static bool TryMean(double mean, int count, int scale, out long units, out long correction)
    {
        units = correction = 0;
        var x = mean * count * Pow10[scale];
        if (count < 1 || !(Math.Abs(x) < MaxExact))
        {
            return false;
        }

        units = (long)Math.Round(x);
        var back = MeanOf(units, count, scale);
        if (!double.IsFinite(mean) || !double.IsFinite(back) || double.IsNegative(mean) != double.IsNegative(back))
        {
            return false;
        }

        correction = BitConverter.DoubleToInt64Bits(mean) - BitConverter.DoubleToInt64Bits(back);
        return Math.Abs(correction) < 1L << 31;
    }

    private static int CommonScale(int a, int b, int c) => a < 0 || b < 0 || c < 0 ? -1 : Math.Max(a, Math.Max(b, c));

    private static double MeanOf(long units, int count, int scale) => units / Pow10[scale] / count;

    /// <summary>The fewest decimals (0–6) that give <paramref name="v"/> back exactly as units / 10^d; -1 when none does.</summary>
    private static int ScaleOf(double v)
    {
        for (var d = 0; d < Pow10.Length; d++)
        {
            var x = v * Pow10[d];
            if (!(Math.Abs(x) < MaxExact))
            {
                return -1;
            }

            if (Same((long)Math.Round(x) / Pow10[d], v)) // through the integer, as it is decoded: -0.0 has no integer
            {
                return d;
            }
        }

        return -1;
    }

    private static long Units(double v, int scale) => (long)Math.Round(v * Pow10[scale]);

    /// <summary>The previous value in this point's units: what the coded difference is taken from (0 when it has none).</summary>
    private static long Predict(double previous, int scale)
    {
        var x = previous * Pow10[scale];
        return Math.Abs(x) < MaxExact ? (long)Math.Round(x) : 0;
    }

    private static long PredictSum(double previousMean, int count, int scale)
    {
        var x = previousMean * count * Pow10[scale];
        return Math.Abs(x) < MaxExact ? (long)Math.Round(x) : 0;
    }

    private static bool Same(double a, double b) => BitConverter.DoubleToInt64Bits(a) == BitConverter.DoubleToInt64Bits(b);

    private static long FloorDiv(long a, long b) => a >= 0 ? a / b : -((-a + b - 1) / b);

    private long FirstStep(int segment) => _baseStep + _segments[segment].FirstStep;

    /// <summary>Where a segment's coded points begin in the stream, and the step of its first point (relative to the base step).</summary>
    private readonly record struct Segment(int Offset, int FirstStep);

    /// <summary>
    /// Decodes the points of segments [from, to) in step order, each segment from its own first point, allocating
    /// nothing: the one walk over the coded stream that reads, re-codes and drops share.
    /// </summary>
    private struct Cursor
    {
        private readonly SignalSeries _series;
        private readonly int _to;
        private Reader _reader;
        private int _segment;
        private int _end;
        private bool _firstInSegment;

        public Cursor(SignalSeries series, int from, int to)
        {
            _series = series;
            _to = to;
            _segment = from - 1;
            _end = from < to ? series._segments[from].Offset : 0;
            _reader = new Reader(series._data, _end, series._length);
        }

        public Decoded Current { get; private set; }

        public bool MoveNext()
        {
            while (_reader.Position >= _end)
            {
                if (++_segment >= _to)
                {
                    return false;
                }

                _end = _segment + 1 < _series._segmentCount ? _series._segments[_segment + 1].Offset : _series._length;
                Current = Decoded.Start(_series.FirstStep(_segment));
                _firstInSegment = true;
            }

            Current = _reader.Next(Current, _firstInSegment);
            _firstInSegment = false;
            return true;
        }
    }

    /// <summary>A point with its step number, as coded and decoded.</summary>
    private readonly record struct Decoded(long Step, double Mean, double Min, double Max, double Last, int Count)
    {
        public Decoded(long step, in SeriesPoint p)
            : this(step, p.Mean, p.Min, p.Max, p.Last, p.Count)
        {
        }

        /// <summary>What the first point of a segment is coded against.</summary>
        public static Decoded Start(long step) => new(step, 0, 0, 0, 0, 1);

        public SeriesPoint ToPoint(long stepMs) => new(Step * stepMs, Mean, Min, Max, Last, Count);
    }

    private ref struct Writer(Span<byte> buffer)
    {
        private readonly Span<byte> _buffer = buffer;

        public int Position { get; private set; }

        public void Byte(byte b) => _buffer[Position++] = b;

        public void Unsigned(ulong v)
        {
            while (v >= 0x80)
            {
                _buffer[Position++] = (byte)(v | 0x80);
                v >>= 7;
            }

            _buffer[Position++] = (byte)v;
        }

        public void Signed(long v) => Unsigned((ulong)((v << 1) ^ (v >> 63)));

        public void Double(double v)
        {
            BitConverter.TryWriteBytes(_buffer[Position..], v);
            Position += 8;
        }
    }

    private struct Reader(byte[] data, int position, int end)
    {
        public int Position = position;

        public Decoded Next(in Decoded prev, bool firstInSegment)
        {
            int header = data[Position++];
            var step = firstInSegment ? prev.Step : (header & StepIsNext) != 0 ? prev.Step + 1 : prev.Step + 2 + (long)Unsigned();
            var count = (header & SameCount) != 0 ? prev.Count : (int)Signed();
            var scale = (header >> ScaleShift) & 7;
            if (scale == RawScale)
            {
                var mean = Double();
                var min = Double();
                var max = Double();
                return new Decoded(step, mean, min, max, Double(), count);
            }

            var p = Pow10[scale];
            double lo, hi, last;
            if ((header & Flat) != 0)
            {
                lo = hi = last = (Predict(prev.Last, scale) + Signed()) / p;
            }
            else
            {
                lo = (Predict(prev.Min, scale) + Signed()) / p;
                hi = (Predict(prev.Max, scale) + Signed()) / p;
                last = (Predict(prev.Last, scale) + Signed()) / p;
            }

            var m = last;
            if ((header & MeanIsLast) == 0)
            {
                m = MeanOf(PredictSum(prev.Mean, count, scale) + Signed(), count, scale);
                if ((header & Corrected) != 0)
                {
                    m = BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(m) + Signed());
                }
            }

            return new Decoded(step, m, lo, hi, last, count);
        }

        private ulong Unsigned()
        {
            ulong v = 0;
            var shift = 0;
            byte b;
            do
            {
                if (Position >= end)
                {
                    throw new InvalidOperationException("The coded series ends inside a point.");
                }

                b = data[Position++];
                v |= (ulong)(b & 0x7F) << shift;
                shift += 7;
            }
            while (b >= 0x80);

            return v;
        }

        private long Signed()
        {
            var u = Unsigned();
            return (long)(u >> 1) ^ -(long)(u & 1);
        }

        private double Double()
        {
            var v = BitConverter.ToDouble(data, Position);
            Position += 8;
            return v;
        }
    }
}
