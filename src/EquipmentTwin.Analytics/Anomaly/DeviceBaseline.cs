using EquipmentTwin.Analytics.History;

namespace EquipmentTwin.Analytics.Anomaly;

/// <summary>
/// A device's own normal, learned over its first days of data (and again after maintenance): per signal
/// the mean and std of hourly means and the typical window noise; per counter the window rate; per
/// severity the window event level. Frozen at the end of the period; bounded size.
/// </summary>
internal sealed class DeviceBaseline
{
    /// <summary>A signal needs this many hourly means in its baseline to take part.</summary>
    public const int MinHours = 24;

    private readonly SignalStats[] _signals;
    private readonly CumulativeStats[] _cumulative;
    private readonly double[] _eventSum = new double[4];
    private readonly double[] _eventLevel = new double[4];
    private int _windows;

    public DeviceBaseline(AnomalyFeatures features, long startMs, int days)
    {
        Features = features;
        StartMs = startMs;
        EndMs = startMs + days * AnomalyFeatures.DayMs;
        _signals = new SignalStats[features.Signals.Count];
        _cumulative = new CumulativeStats[features.CumulativeSignals.Count];
    }

    public AnomalyFeatures Features { get; }
    public long StartMs { get; }
    public long EndMs { get; }
    public bool Frozen { get; private set; }

    public ref readonly SignalStats Signal(int i) => ref _signals[i];

    public ref readonly CumulativeStats Cumulative(int i) => ref _cumulative[i];

    public double EventLevel(int severity) => _eventLevel[severity];

    /// <summary>Std of the hourly means seen so far, without floor; 0 until there are <see cref="MinHours"/>.</summary>
    public double RawStd(int i) => _signals[i].Hours >= MinHours ? Math.Sqrt(_signals[i].M2 / (_signals[i].Hours - 1)) : 0;

    /// <summary>Adds the hour ending at <paramref name="hourEndMs"/>: each unmasked signal's hourly mean.</summary>
    public void AddHour(DeviceHistory history, long hourEndMs, ReadOnlySpan<bool> masked)
    {
        for (var i = 0; i < _signals.Length; i++)
        {
            if (masked[i] || history.Hourly(Features.Signals[i].Name) is not { } hourly || !hourly.TryGetLatest(out var p) || p.StartMs != hourEndMs - DeviceHistory.HourMs)
            {
                continue;
            }

            ref var s = ref _signals[i];
            s.Hours++;
            var d = p.Mean - s.Mean;
            s.Mean += d / s.Hours;
            s.M2 += d * (p.Mean - s.Mean);
        }
    }

    /// <summary>Adds one 6-hour window: noise level per signal, rate per counter, event level per severity.</summary>
    public void AddWindow(DeviceHistory history, long windowEndMs, ReadOnlySpan<int> eventCounts, ReadOnlySpan<bool> masked, AnomalyFeatures.Scratch scratch)
    {
        var from = windowEndMs - AnomalyFeatures.WindowMs;
        for (var i = 0; i < _signals.Length; i++)
        {
            if (!masked[i] && AnomalyFeatures.WindowNoise(history.FiveMinute(Features.Signals[i].Name), from, windowEndMs, scratch) is { } noise)
            {
                _signals[i].NoiseSum += noise;
                _signals[i].NoiseN++;
            }
        }

        for (var c = 0; c < _cumulative.Length; c++)
        {
            if (!masked[_signals.Length + c] && AnomalyFeatures.WindowRate(history.Hourly(Features.CumulativeSignals[c].Name), from, windowEndMs, scratch) is { } rate)
            {
                _cumulative[c].RateSum += rate;
                _cumulative[c].N++;
            }
        }

        for (var s = 0; s < _eventSum.Length; s++)
        {
            _eventSum[s] += Math.Log(1 + eventCounts[s]);
        }

        _windows++;
    }

    public void Freeze()
    {
        for (var i = 0; i < _signals.Length; i++)
        {
            ref var s = ref _signals[i];
            if (s.Hours < MinHours)
            {
                continue;
            }

            // Floors keep a nearly flat signal (a pump frequency, a run flag) from turning rounding and
            // simulation-scale jitter into many sigma: 2 % of the catalog's normal range is the least
            // variation that means anything for a maintenance decision.
            var def = Features.Signals[i];
            var range = def.NormalMin is { } lo && def.NormalMax is { } hi && hi > lo ? hi - lo : 0;
            var floor = Math.Max(1e-3 * Math.Max(Math.Abs(s.Mean), 1), 0.02 * range);
            s.Std = Math.Max(Math.Sqrt(s.M2 / (s.Hours - 1)), floor);
            s.Noise = s.NoiseN > 0 ? Math.Max(s.NoiseSum / s.NoiseN, 0.5 * floor) : 0;
            s.Ready = true;
        }

        for (var c = 0; c < _cumulative.Length; c++)
        {
            ref var s = ref _cumulative[c];
            if (s.N > 0)
            {
                s.Rate = s.RateSum / s.N;
                s.Ready = true;
            }
        }

        for (var s = 0; s < _eventSum.Length; s++)
        {
            _eventLevel[s] = _windows > 0 ? _eventSum[s] / _windows : 0;
        }

        Frozen = true;
    }

    internal struct SignalStats
    {
        public bool Ready;
        public double Mean;
        public double Std;
        public double Noise;
        public int Hours;
        public double M2;
        public double NoiseSum;
        public int NoiseN;
    }

    internal struct CumulativeStats
    {
        public bool Ready;
        public double Rate;
        public double RateSum;
        public int N;
    }
}
