using EquipmentTwin.Analytics.Engines;
using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Analytics.History;

/// <summary>
/// Bounded, event-time history of one device that every engine reads: per signal, 5-minute aggregates
/// for the last 48 h and hourly aggregates for the last 60 days; events per code; maintenance per
/// component. Records older than a signal's open bucket are counted as late and not aggregated. Those are the
/// most a signal keeps: with <see cref="HistoryNeeds"/> each signal keeps only the windows some engine reads.
/// </summary>
public sealed class DeviceHistory
{
    public const long BucketMs = 5 * 60_000;
    public const long HourMs = 3_600_000;
    public const int BucketCapacity = 48 * 12;
    public const int HourCapacity = 60 * 24;

    private readonly Dictionary<string, SignalState> _signals = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _lastMaintenance = new(StringComparer.Ordinal);

    public DeviceHistory(DeviceContext context, HistoryNeeds? needs = null)
    {
        Context = context;
        Needs = needs ?? HistoryNeeds.Everything;
    }

    /// <summary>What the engines read, which decides how much of each signal is kept.</summary>
    public HistoryNeeds Needs { get; }

    public DeviceContext Context { get; }

    /// <summary>The device's clock: the newest event time seen.</summary>
    public long NowMs { get; private set; } = long.MinValue;

    /// <summary>Event time of the first record; baselines start here.</summary>
    public long? FirstMs { get; private set; }

    public long LateRecords { get; private set; }

    public EventHistory Events { get; } = new();

    public IReadOnlyCollection<string> Signals => _signals.Keys;

    public SignalSeries? FiveMinute(string signal) => _signals.TryGetValue(signal, out var s) ? s.FiveMinute : null;

    public SignalSeries? Hourly(string signal) => _signals.TryGetValue(signal, out var s) ? s.Hourly : null;

    /// <summary>Event time of the newest reading of <paramref name="signal"/>.</summary>
    public long? LastSeenMs(string signal) => _signals.TryGetValue(signal, out var s) ? s.LastSeenMs : null;

    public double? LastValue(string signal) => _signals.TryGetValue(signal, out var s) && s.LastSeenMs is not null ? s.LastValue : null;

    /// <summary>Event time of the last repair, replacement or service of <paramref name="component"/>.</summary>
    public long? LastMaintenanceMs(string component) => _lastMaintenance.TryGetValue(component, out var t) ? t : null;

    internal void Advance(long ms)
    {
        if (ms > NowMs)
        {
            NowMs = ms;
        }

        FirstMs ??= ms;
    }

    /// <summary>Adds a reading; returns true with the closed bucket when the reading opened a new one.</summary>
    internal bool AddParam(in LogRecord record, out SeriesPoint closed)
    {
        closed = default;
        var name = record.Name!;
        if (!_signals.TryGetValue(name, out var s))
        {
            var (hourly, fiveMinute) = Needs.CapacityOf(name);
            _signals[name] = s = new SignalState(hourly, fiveMinute);
        }

        var bucketStart = record.TimestampMs - Mod(record.TimestampMs, BucketMs);
        if (s.Bucket.Count > 0 && bucketStart < s.Bucket.StartMs)
        {
            LateRecords++;
            return false;
        }

        var closedOne = false;
        if (s.Bucket.Count > 0 && bucketStart > s.Bucket.StartMs)
        {
            closed = s.CloseBucket();
            closedOne = true;
        }

        s.Add(record.TimestampMs, bucketStart, record.Value);
        return closedOne;
    }

    /// <summary>Closes every open bucket that ends at or before <paramref name="ms"/>; returns (signal, bucket) for each.</summary>
    internal void CloseBucketsBefore(long ms, List<(string Signal, SeriesPoint Bucket)> closed)
    {
        foreach (var (name, s) in _signals)
        {
            if (s.Bucket.Count > 0 && s.Bucket.StartMs + BucketMs <= ms)
            {
                closed.Add((name, s.CloseBucket()));
            }

            s.CloseHourBefore(ms);
        }
    }

    internal void AddEvent(in LogRecord record) => Events.Add(record);

    internal void AddMaintenance(MaintenanceRecord record)
    {
        if (!_lastMaintenance.TryGetValue(record.Component, out var t) || record.TimestampMs > t)
        {
            _lastMaintenance[record.Component] = record.TimestampMs;
        }
    }

    private static long Mod(long a, long b) => ((a % b) + b) % b;

    private sealed class SignalState(int hourly, int fiveMinute)
    {
        public readonly SignalSeries FiveMinute = new(BucketMs, fiveMinute);
        public readonly SignalSeries Hourly = new(HourMs, hourly);
        public Accumulator Bucket;
        public Accumulator Hour;
        public long? LastSeenMs;
        public double LastValue;

        public void Add(long ts, long bucketStart, double value)
        {
            if (Bucket.Count == 0)
            {
                Bucket = Accumulator.Start(bucketStart);
            }

            Bucket.Add(value);
            var hourStart = ts - Mod(ts, HourMs);
            if (Hour.Count > 0 && hourStart > Hour.StartMs)
            {
                Hourly.Add(Hour.ToPoint());
                Hour = default;
            }

            if (Hour.Count == 0)
            {
                Hour = Accumulator.Start(hourStart);
            }

            Hour.Add(value);
            if (LastSeenMs is null || ts >= LastSeenMs)
            {
                LastSeenMs = ts;
                LastValue = value;
            }
        }

        public SeriesPoint CloseBucket()
        {
            var p = Bucket.ToPoint();
            FiveMinute.Add(p);
            Bucket = default;
            return p;
        }

        public void CloseHourBefore(long ms)
        {
            if (Hour.Count > 0 && Hour.StartMs + HourMs <= ms)
            {
                Hourly.Add(Hour.ToPoint());
                Hour = default;
            }
        }
    }

    private struct Accumulator
    {
        public long StartMs;
        public double Sum;
        public double Min;
        public double Max;
        public double Last;
        public int Count;

        public static Accumulator Start(long startMs) => new() { StartMs = startMs, Min = double.MaxValue, Max = double.MinValue };

        public void Add(double v)
        {
            Sum += v;
            Min = Math.Min(Min, v);
            Max = Math.Max(Max, v);
            Last = v;
            Count++;
        }

        public readonly SeriesPoint ToPoint() => new(StartMs, Sum / Count, Min, Max, Last, Count);
    }
}
