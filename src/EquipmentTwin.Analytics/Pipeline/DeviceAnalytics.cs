using EquipmentTwin.Analytics.Engines;
using EquipmentTwin.Analytics.History;
using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Analytics.Pipeline;

/// <summary>
/// Drives the engines of one device in event time: folds records into <see cref="DeviceHistory"/>,
/// closes 5-minute buckets and hours as the device's clock passes them, and hands each engine the
/// closed buckets, events, maintenance and hour ticks. Nothing here reads the wall clock.
/// </summary>
public sealed class DeviceAnalytics
{
    /// <summary>After a gap longer than this, the hour ticks in between are skipped (no data, nothing to evaluate).</summary>
    private const int MaxHourTicksPerGap = 24 * 7;

    private readonly IDeviceEngine[] _engines;
    private readonly List<(string Signal, SeriesPoint Bucket)> _closed = new();

    public DeviceAnalytics(DeviceContext context, IEnumerable<IAnalyticsEngine> engines)
    {
        Context = context;
        var all = engines as IReadOnlyCollection<IAnalyticsEngine> ?? engines.ToArray();
        History = new DeviceHistory(context, HistoryNeeds.Combine(all.Select(e => e.NeedsOf(context))));
        Engines = all.Select(e => (e.Kind, e.CreateDevice(context))).ToArray();
        _engines = Engines.Select(e => e.Engine).ToArray();
    }

    public DeviceContext Context { get; }
    public DeviceHistory History { get; }
    public IReadOnlyList<(EngineKind Kind, IDeviceEngine Engine)> Engines { get; }

    /// <summary>Raised after the engines saw an hour tick, with the hour's end.</summary>
    public event Action<DeviceAnalytics, long>? HourClosed;

    /// <summary>Feeds records (best in event-time order; older ones than a signal's open bucket are counted late).</summary>
    public void Process(IReadOnlyList<LogRecord> records)
    {
        for (var i = 0; i < records.Count; i++)
        {
            Process(records[i]);
        }
    }

    public void Process(in LogRecord record)
    {
        var ts = record.TimestampMs;
        if (History.NowMs != long.MinValue && ts >= NextHour(History.NowMs))
        {
            TickHours(ts);
        }

        History.Advance(ts);
        if (record.Type == RecordType.Param)
        {
            if (History.AddParam(record, out var bucket))
            {
                foreach (var e in _engines)
                {
                    e.OnBucket(record.Name!, bucket, History);
                }
            }
        }
        else
        {
            History.AddEvent(record);
            foreach (var e in _engines)
            {
                e.OnEvent(record, History);
            }
        }
    }

    /// <summary>A maintenance record; a replacement also renews the components replaced with it (the catalog's units).</summary>
    public void ProcessMaintenance(MaintenanceRecord record)
    {
        var components = record.Action == MaintenanceAction.Replace ? Context.Catalog.ReplacedWith(record.Component) : [record.Component];
        foreach (var component in components.Contains(record.Component) ? components : [record.Component, .. components])
        {
            var r = component == record.Component ? record : record with { Component = component };
            History.AddMaintenance(r);
            foreach (var e in _engines)
            {
                e.OnMaintenance(r, History);
            }
        }
    }

    /// <summary>Moves the device's clock to <paramref name="ms"/> without data (end of a backtest, a silent device).</summary>
    public void AdvanceTo(long ms)
    {
        if (History.NowMs != long.MinValue && ms >= NextHour(History.NowMs))
        {
            TickHours(ms);
        }

        History.Advance(ms);
    }

    /// <summary>Current evidence of every engine.</summary>
    public IEnumerable<Evidence> Evidence() => _engines.SelectMany(e => e.Evidence);

    public IEnumerable<DataQualityIssue> DataQuality() => _engines.SelectMany(e => e.DataQuality);

    private void TickHours(long ts)
    {
        var first = NextHour(History.NowMs);
        var last = ts - (((ts % DeviceHistory.HourMs) + DeviceHistory.HourMs) % DeviceHistory.HourMs);
        var count = (last - first) / DeviceHistory.HourMs + 1;
        if (count > MaxHourTicksPerGap)
        {
            first = last - (MaxHourTicksPerGap - 1) * DeviceHistory.HourMs;
        }

        for (var hourEnd = first; hourEnd <= last; hourEnd += DeviceHistory.HourMs)
        {
            _closed.Clear();
            History.CloseBucketsBefore(hourEnd, _closed);
            foreach (var (signal, bucket) in _closed)
            {
                foreach (var e in _engines)
                {
                    e.OnBucket(signal, bucket, History);
                }
            }

            History.Advance(hourEnd);
            foreach (var e in _engines)
            {
                e.OnHour(hourEnd, History);
            }

            HourClosed?.Invoke(this, hourEnd);
        }
    }

    private static long NextHour(long ms) => ms - (((ms % DeviceHistory.HourMs) + DeviceHistory.HourMs) % DeviceHistory.HourMs) + DeviceHistory.HourMs;
}
