namespace EquipmentTwin.Analytics.History;

/// <summary>
/// How far back, per signal, an engine reads a device's aggregates: hours of hourly points and hours of
/// 5-minute points, counted back from the device's clock. <see cref="DeviceHistory"/> keeps for each signal the
/// most any engine declared (never more than its own maximum), so a device carries no window nobody reads.
/// A signal no engine names keeps only its latest points. An engine that does not say what it reads gets
/// everything (<see cref="Everything"/>), which is what every signal kept before engines declared their needs.
/// </summary>
public sealed class HistoryNeeds
{
    /// <summary>Points a declared window is padded with, so an evaluation a little behind the clock still finds its window.</summary>
    public const int MarginHours = 2;

    /// <summary>What a signal no engine names keeps: its newest points only (latest values stay exact).</summary>
    public const int UndeclaredPoints = 2;

    private readonly Dictionary<string, (int Hourly, int FiveMinute)> _points = new(StringComparer.Ordinal);

    private HistoryNeeds(bool everything)
    {
        IsEverything = everything;
    }

    public HistoryNeeds()
        : this(everything: false)
    {
    }

    /// <summary>Every signal keeps the whole history (<see cref="DeviceHistory.HourCapacity"/> hours, <see cref="DeviceHistory.BucketCapacity"/> buckets).</summary>
    public static HistoryNeeds Everything { get; } = new(everything: true);

    public bool IsEverything { get; }

    /// <summary>The signals some engine declared.</summary>
    public IReadOnlyCollection<string> Signals => _points.Keys;

    /// <summary>Declares that hourly points of <paramref name="signal"/> are read up to <paramref name="hours"/> back.</summary>
    public HistoryNeeds Hourly(string signal, double hours) => Declare(signal, Points(hours, DeviceHistory.HourMs, DeviceHistory.HourCapacity), 0);

    /// <summary>Declares that 5-minute points of <paramref name="signal"/> are read up to <paramref name="hours"/> back.</summary>
    public HistoryNeeds FiveMinute(string signal, double hours) => Declare(signal, 0, Points(hours, DeviceHistory.BucketMs, DeviceHistory.BucketCapacity));

    /// <summary>
    /// The needs of every engine together: per signal the longest window any of them reads. Without any engine (a bare
    /// history, kept to be looked at) or when one of them does not say, everything is kept.
    /// </summary>
    public static HistoryNeeds Combine(IEnumerable<HistoryNeeds?> needs)
    {
        var combined = new HistoryNeeds();
        var any = false;
        foreach (var n in needs)
        {
            any = true;
            if (n is null || n.IsEverything)
            {
                return Everything;
            }

            foreach (var (signal, (hourly, fiveMinute)) in n._points)
            {
                combined.Declare(signal, hourly, fiveMinute);
            }
        }

        return any ? combined : Everything;
    }

    /// <summary>Ring sizes for <paramref name="signal"/>: (hourly points, 5-minute points).</summary>
    public (int Hourly, int FiveMinute) CapacityOf(string signal)
    {
        if (IsEverything)
        {
            return (DeviceHistory.HourCapacity, DeviceHistory.BucketCapacity);
        }

        return _points.TryGetValue(signal, out var p)
            ? (Math.Max(p.Hourly, UndeclaredPoints), Math.Max(p.FiveMinute, UndeclaredPoints))
            : (UndeclaredPoints, UndeclaredPoints);
    }

    private HistoryNeeds Declare(string signal, int hourly, int fiveMinute)
    {
        if (IsEverything)
        {
            throw new InvalidOperationException("Everything is already kept.");
        }

        var p = _points.GetValueOrDefault(signal);
        _points[signal] = (Math.Max(p.Hourly, hourly), Math.Max(p.FiveMinute, fiveMinute));
        return this;
    }

    private static int Points(double hours, long stepMs, int max)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(hours);
        var points = (long)Math.Ceiling((hours + MarginHours) * DeviceHistory.HourMs / stepMs) + 1;
        return (int)Math.Min(points, max);
    }
}
