using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Core.Histories;

/// <summary>
/// The daily features of one device as run-to-failure histories carry them (docs/models-rul.md): for each day
/// since <see cref="OriginMs"/>, the mean of every parameter signal's finite readings that day. A day's row stands
/// at its end (time <see cref="RowTime"/>, in days since the origin); a unit starts the day after the device's
/// previous repair (<see cref="FirstDayAfter"/>). <c>twin simulate --mode histories</c> writes these rows for
/// training and the service's RUL engine computes the same rows live for prediction: one definition for both.
/// </summary>
public sealed class DailySignalMeans(long originMs)
{
    public const long DayMs = 86_400_000;

    private readonly SortedDictionary<int, Dictionary<string, (double Sum, int Count)>> _days = new();

    public long OriginMs { get; } = originMs;

    /// <summary>Every signal seen, whether its days are still kept or not.</summary>
    public HashSet<string> Signals { get; } = new(StringComparer.Ordinal);

    /// <summary>Days with at least one reading, in order.</summary>
    public IEnumerable<int> Days => _days.Keys;

    public int DayCount => _days.Count;

    /// <summary>Whether a record contributes to the daily means: a parameter with a finite value.</summary>
    public static bool Counts(in LogRecord record) => record.Type == RecordType.Param && record.Name is not null && double.IsFinite(record.Value);

    /// <summary>The day (since the origin) holding <paramref name="ms"/>.</summary>
    public int DayOf(long ms) => (int)Math.Floor((ms - OriginMs) / (double)DayMs);

    /// <summary>A day's row stands at the end of the day: its time in days since the origin.</summary>
    public static double RowTime(int day) => day + 1;

    /// <summary>The first day of a unit that starts after a repair at <paramref name="repairMs"/>: the day after it.</summary>
    public int FirstDayAfter(long repairMs) => DayOf(repairMs) + 1;

    public void Add(in LogRecord record)
    {
        if (Counts(record))
        {
            Add(DayOf(record.TimestampMs), record.Name!, record.Value, 1);
        }
    }

    /// <summary>Adds <paramref name="count"/> readings summing to <paramref name="sum"/> (a closed bucket's mean × count).</summary>
    public void Add(int day, string signal, double sum, int count)
    {
        if (count <= 0 || !double.IsFinite(sum))
        {
            return;
        }

        if (!_days.TryGetValue(day, out var values))
        {
            values = new Dictionary<string, (double, int)>(StringComparer.Ordinal);
            _days[day] = values;
        }

        var (s, c) = values.GetValueOrDefault(signal);
        values[signal] = (s + sum, c + count);
        Signals.Add(signal);
    }

    /// <summary>Sums and counts of one day (null: no reading that day).</summary>
    public IReadOnlyDictionary<string, (double Sum, int Count)>? Day(int day) => _days.GetValueOrDefault(day);

    /// <summary>The mean of <paramref name="signal"/> on <paramref name="day"/>; NaN when it has no reading that day.</summary>
    public double Mean(int day, string signal) =>
        _days.TryGetValue(day, out var values) && values.TryGetValue(signal, out var v) && v.Count > 0 ? v.Sum / v.Count : double.NaN;

    /// <summary>A copy of one day's sums and counts (empty when it had none).</summary>
    public Dictionary<string, (double Sum, int Count)> Snapshot(int day) =>
        _days.TryGetValue(day, out var values) ? new Dictionary<string, (double, int)>(values, StringComparer.Ordinal) : new(StringComparer.Ordinal);

    /// <summary>Forgets the days before <paramref name="day"/> (a repair started a new unit).</summary>
    public void RemoveBefore(int day)
    {
        foreach (var d in _days.Keys.TakeWhile(d => d < day).ToList())
        {
            _days.Remove(d);
        }
    }

    /// <summary>Forgets one day (bounded memory: the middle of a long unit is not needed by a model's windows).</summary>
    public void Remove(int day) => _days.Remove(day);
}
