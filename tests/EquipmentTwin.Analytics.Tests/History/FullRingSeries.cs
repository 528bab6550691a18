using EquipmentTwin.Analytics.History;

namespace EquipmentTwin.Analytics.Tests.History;

/// <summary>
/// The history's ring as it was before its points were kept coded (every point in a 40-byte slot), kept here as the
/// reference the coded <see cref="SignalSeries"/> must agree with.
/// A ring buffer of fixed-step aggregates (5 min, 1 h or 1 day) of one signal; the oldest fall off, so memory
/// per device is bounded whatever runs through it. The ring holds at most <see cref="Capacity"/> steps but its
/// storage grows with what arrives (doubling from <see cref="InitialSlots"/>), so a signal that has only seen a
/// few hours costs a few hours. A slot is 40 bytes: the interval start is kept as its step number, not as a
/// time, so a point's <see cref="SeriesPoint.StartMs"/> reads back as the start of its step.
/// </summary>
internal sealed class FullRingSeries
{
    public const int InitialSlots = 8;

    /// <summary>Bytes one stored interval takes (four doubles, the count and the step).</summary>
    public const int SlotBytes = 40;

    private const int Empty = int.MinValue;

    private Slot[] _slots;
    private long _baseStep;
    private long _newestStep = long.MinValue;
    private long _oldestStep = long.MaxValue;

    public FullRingSeries(long stepMs, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(stepMs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        StepMs = stepMs;
        Capacity = capacity;
        _slots = NewSlots(Math.Min(capacity, InitialSlots));
    }

    public long StepMs { get; }

    /// <summary>How many steps the ring keeps at most.</summary>
    public int Capacity { get; }

    /// <summary>Slots allocated now (at most <see cref="Capacity"/>).</summary>
    public int Allocated => _slots.Length;

    /// <summary>Start of the newest stored interval, or null when empty.</summary>
    public long? NewestStartMs => _newestStep == long.MinValue ? null : _newestStep * StepMs;

    public void Add(in SeriesPoint point)
    {
        var step = FloorDiv(point.StartMs, StepMs);
        if (_newestStep != long.MinValue && step <= _newestStep - Capacity)
        {
            return; // older than what the ring keeps
        }

        if (_newestStep == long.MinValue)
        {
            _baseStep = step;
        }

        var newest = Math.Max(_newestStep, step);
        var oldest = Math.Max(Math.Min(_oldestStep, step), newest - Capacity + 1);
        if (newest - oldest + 1 > _slots.Length && _slots.Length < Capacity)
        {
            Grow(newest - oldest + 1, oldest);
        }

        _slots[SlotOf(step)] = new Slot(point, (int)(step - _baseStep));
        _newestStep = newest;
        _oldestStep = oldest;
    }

    public bool TryGetLatest(out SeriesPoint point)
    {
        point = default;
        if (_newestStep == long.MinValue)
        {
            return false;
        }

        ref readonly var slot = ref _slots[SlotOf(_newestStep)];
        point = slot.ToPoint(_newestStep * StepMs);
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
        if (_newestStep == long.MinValue)
        {
            return;
        }

        var first = Math.Max(Math.Max(_newestStep - Capacity + 1, _oldestStep), FloorDiv(fromMs, StepMs) + (fromMs % StepMs == 0 ? 0 : 1));
        for (var s = first; s <= _newestStep; s++)
        {
            ref readonly var slot = ref _slots[SlotOf(s)];
            if (slot.Step != Empty && slot.Step + _baseStep == s)
            {
                destination.Add(slot.ToPoint(s * StepMs));
            }
        }
    }

    /// <summary>Forgets everything before <paramref name="fromMs"/> (after a repair the old law no longer holds).</summary>
    public void ClearBefore(long fromMs)
    {
        var cut = FloorDiv(fromMs, StepMs);
        for (var i = 0; i < _slots.Length; i++)
        {
            if (_slots[i].Step != Empty && _slots[i].Step + _baseStep < cut)
            {
                _slots[i] = _slots[i] with { Step = Empty };
            }
        }
    }

    private int SlotOf(long step) => (int)(((step % _slots.Length) + _slots.Length) % _slots.Length);

    /// <summary>Re-lays the ring out over more slots, keeping only steps from <paramref name="oldest"/> on.</summary>
    private void Grow(long span, long oldest)
    {
        var size = _slots.Length;
        while (size < span && size < Capacity)
        {
            size = (int)Math.Min((long)size * 2, Capacity);
        }

        var old = _slots;
        _slots = NewSlots(size);
        foreach (var slot in old)
        {
            if (slot.Step != Empty && slot.Step + _baseStep >= oldest)
            {
                _slots[SlotOf(slot.Step + _baseStep)] = slot;
            }
        }
    }

    private static Slot[] NewSlots(int size)
    {
        var slots = new Slot[size];
        Array.Fill(slots, new Slot { Step = Empty });
        return slots;
    }

    private static long FloorDiv(long a, long b) => a >= 0 ? a / b : -((-a + b - 1) / b);

    /// <summary>One stored interval: the aggregates and the step number relative to the first step stored.</summary>
    private readonly record struct Slot(double Mean, double Min, double Max, double Last, int Count, int Step)
    {
        public Slot(in SeriesPoint p, int step)
            : this(p.Mean, p.Min, p.Max, p.Last, p.Count, step)
        {
        }

        public SeriesPoint ToPoint(long startMs) => new(startMs, Mean, Min, Max, Last, Count);
    }
}
