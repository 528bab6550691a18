using EquipmentTwin.Analytics.Engines;
using EquipmentTwin.Analytics.History;
using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Analytics.Anomaly;

/// <summary>
/// The per-device half shared by training and scoring: learns the baseline, counts events per window,
/// runs the data-quality monitor, and computes one feature row at every 6-hour window end after the
/// baseline period. Bounded: a baseline, a monitor, one row buffer.
/// </summary>
internal sealed class AnomalyDeviceState
{
    private readonly int _baselineDays;
    private readonly int[] _eventCounts = new int[4];
    private static AnomalyFeatures.Scratch _scratch => AnomalyFeatures.Scratch.Shared;
    private readonly HourlyActivity _activity = new();
    private readonly float[] _row;
    private DeviceBaseline? _baseline;
    private DeviceBaseline? _previous;

    public AnomalyDeviceState(AnomalyFeatures features, int baselineDays)
    {
        Features = features;
        _baselineDays = baselineDays;
        Quality = new DataQualityMonitor(features);
        _row = new float[features.Count];
    }

    public AnomalyFeatures Features { get; }
    public DataQualityMonitor Quality { get; }
    public DeviceBaseline? Baseline => _baseline;

    public void OnBucket(string signal, in SeriesPoint bucket) => Quality.OnBucket(signal, bucket);

    public void OnEvent(in LogRecord record)
    {
        _eventCounts[(int)record.Severity]++;
        if (record.Severity == Severity.Info)
        {
            _activity.OnInfoEvent();
            LastActivityMs = Math.Max(LastActivityMs ?? long.MinValue, record.TimestampMs);
        }
    }

    /// <summary>The latest info event (an exam, scan, sequence or exposure starting or ending); null before the first.</summary>
    public long? LastActivityMs { get; private set; }

    /// <summary>
    /// True when a device that has worked (logged activity) has logged none for <see cref="IdleAfterMs"/>: it is down
    /// (failed and waiting for repair, switched off) or standing idle. A device that never logs activity is never idle.
    /// </summary>
    public bool IsIdle(long nowMs) => LastActivityMs is { } last && nowMs - last >= IdleAfterMs;

    /// <summary>
    /// No activity for this long means idle or down: longer than the gap between a day-only site's last exam of the evening
    /// and its first of the morning on most days, shorter than the 18 h the engine's persistence needs from the moment a
    /// device stops to an alert.
    /// </summary>
    public const long IdleAfterMs = 12 * DeviceHistory.HourMs;

    /// <summary>After maintenance the device's normal is learned again from the next hour on.</summary>
    /// <remarks>
    /// After a repair or a replacement the new baseline starts <see cref="SettleDays"/> later: a device that was down
    /// settles for days (an MRI shield cools back with a time constant of about 2 days after its cooler ran again), and
    /// a baseline learnt while it settles reads the settled device as a fault. On validation seed 301 four of the five
    /// anomaly false alarms of 2026-12-06 came 2–9 weeks after a cold-head or compressor repair, first-stage temperature
    /// 1.0–1.2 σ below a baseline learnt in the week after the repair. A service visit changes nothing that settles.
    /// </remarks>
    public void OnMaintenance(MaintenanceRecord record)
    {
        _previous = _baseline?.Frozen == true ? _baseline : _previous;
        var start = record.TimestampMs - Mod(record.TimestampMs, DeviceHistory.HourMs) + DeviceHistory.HourMs;
        if (record.Action is MaintenanceAction.Repair or MaintenanceAction.Replace)
        {
            start += SettleDays * AnomalyFeatures.DayMs;
        }

        _baseline = new DeviceBaseline(Features, start, _baselineDays);
    }

    /// <summary>Days after a repair or replacement before the new baseline starts (5 time constants of a 2-day settling).</summary>
    public const int SettleDays = 10;

    /// <summary>Advances to the end of an hour; returns the feature row when a scored window closed (valid until the next call).</summary>
    public ReadOnlySpan<float> OnHour(long hourEndMs, DeviceHistory history)
    {
        if (_baseline is null)
        {
            var first = history.FirstMs ?? hourEndMs;
            _baseline = new DeviceBaseline(Features, first - Mod(first, DeviceHistory.HourMs), _baselineDays);
        }

        _activity.CloseHour(hourEndMs);
        var b = _baseline;
        for (var i = 0; i < Features.Signals.Count; i++)
        {
            Quality.SetKnownStd(i, _previous is not null && _previous.RawStd(i) > 0 ? _previous.RawStd(i) : b.RawStd(i));
        }

        Quality.OnHour(hourEndMs, history);
        var masked = Quality.Masked;
        var isWindowEnd = Mod(hourEndMs, AnomalyFeatures.WindowMs) == 0;
        ReadOnlySpan<float> result = default;
        if (!b.Frozen && hourEndMs > b.StartMs)
        {
            b.AddHour(history, hourEndMs, masked, _activity);
            if (isWindowEnd && hourEndMs - AnomalyFeatures.WindowMs >= b.StartMs)
            {
                b.AddWindow(history, hourEndMs, _eventCounts, masked, _scratch);
            }

            if (hourEndMs >= b.EndMs)
            {
                b.Freeze();
            }
        }
        else if (b.Frozen && isWindowEnd && hourEndMs - AnomalyFeatures.WindowMs >= b.EndMs)
        {
            Features.Compute(history, b, _activity, hourEndMs, _eventCounts, masked, _row, _scratch);
            result = _row;
        }

        if (isWindowEnd)
        {
            Array.Clear(_eventCounts);
        }

        return result;
    }

    public IReadOnlyList<DataQualityIssue> DataQuality => Quality.Issues;

    private static long Mod(long a, long b) => ((a % b) + b) % b;
}
