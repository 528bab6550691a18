using EquipmentTwin.Analytics.History;

namespace EquipmentTwin.Analytics.Anomaly;

/// <summary>
/// A device's own normal, learned over its first days of data (and again after maintenance): per signal
/// the mean and std of hourly means, the same with the share its usage explains taken out, and the typical
/// window noise; per counter the window rate; per severity the window event level. Frozen at the end of the
/// period; bounded size (sums, never raw history).
/// </summary>
/// <remarks>
/// Usage adjustment: per signal, the hourly means are regressed (least squares, a tiny ridge) on
/// x = [1, a(h), a(h−1), cos ωt, sin ωt], with a the info events of the hour (exams, scans, sequences, exposures)
/// and ω one cycle per day. The time-of-day terms are there only so that a signal that follows the day (the room,
/// the chilled water) does not lend its daily cycle to the usage terms; only the usage share b₁a(h) + b₂a(h−1) is
/// removed, and the adjusted level is measured in the baseline std of the adjusted hourly means.
/// </remarks>
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

    /// <summary>Adds the hour ending at <paramref name="hourEndMs"/>: each unmasked signal's hourly mean, against the hour's usage.</summary>
    public void AddHour(DeviceHistory history, long hourEndMs, ReadOnlySpan<bool> masked, HourlyActivity activity)
    {
        Span<double> x = stackalloc double[UsageTerms];
        Regressors(hourEndMs - DeviceHistory.HourMs, activity, x);
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

            if (Features.FeatureSet < 2)
            {
                continue;
            }

            // Centred on the first hour seen, so the sums of squares do not lose the signal's small variation
            // to its large level (a pressure of 290 psig moving by 0.5).
            if (s.Hours == 1)
            {
                s.Origin = p.Mean;
            }

            s.Sums ??= new double[SumLength];
            var y = p.Mean - s.Origin;
            var k = 0;
            for (var r = 0; r < UsageTerms; r++)
            {
                for (var c = r; c < UsageTerms; c++)
                {
                    s.Sums[k++] += x[r] * x[c];
                }
            }

            for (var r = 0; r < UsageTerms; r++)
            {
                s.Sums[k++] += x[r] * y;
            }

            s.Sums[k] += y * y;
        }
    }

    /// <summary>Terms of the usage regression: intercept, usage this hour and the hour before, time of day (cos, sin).</summary>
    public const int UsageTerms = 5;

    private const int SumLength = UsageTerms * (UsageTerms + 1) / 2 + UsageTerms + 1;

    /// <summary>The regressors of the hour starting at <paramref name="hourStartMs"/>.</summary>
    public static void Regressors(long hourStartMs, HourlyActivity activity, Span<double> x)
    {
        var phase = 2 * Math.PI * (((hourStartMs % AnomalyFeatures.DayMs) + AnomalyFeatures.DayMs) % AnomalyFeatures.DayMs) / AnomalyFeatures.DayMs;
        x[0] = 1;
        x[1] = activity.At(hourStartMs);
        x[2] = activity.At(hourStartMs - DeviceHistory.HourMs);
        x[3] = Math.Cos(phase);
        x[4] = Math.Sin(phase);
    }

    /// <summary>The usage share of signal <paramref name="i"/>'s mean in the hour starting at <paramref name="hourStartMs"/> (0 before the baseline is frozen).</summary>
    public double UsageShare(int i, long hourStartMs, HourlyActivity activity)
    {
        ref readonly var s = ref _signals[i];
        return s.UsageNow * activity.At(hourStartMs) + s.UsageBefore * activity.At(hourStartMs - DeviceHistory.HourMs);
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

            if (s.Sums is not null)
            {
                FitUsage(ref s);
            }

            s.AdjustedStd = Math.Max(s.AdjustedStd, floor);
            s.Sums = null; // the fit is kept, its sums are not needed any more
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

    /// <summary>
    /// Solves the usage regression of one signal from its sums and keeps the usage coefficients and the mean and
    /// std of the hourly means with the usage share removed. Without usage variation in the baseline (a device
    /// idle all week) the coefficients are 0 and the adjusted level is the plain one.
    /// </summary>
    private static void FitUsage(ref SignalStats s)
    {
        const int p = UsageTerms;
        var sums = s.Sums!;
        Span<double> a = stackalloc double[p * p];
        Span<double> v = stackalloc double[p];
        var k = 0;
        for (var r = 0; r < p; r++)
        {
            for (var c = r; c < p; c++)
            {
                a[r * p + c] = a[c * p + r] = sums[k++];
            }
        }

        for (var r = 0; r < p; r++)
        {
            v[r] = sums[k++];
        }

        var yy = sums[k];
        var n = a[0];
        s.UsageNow = s.UsageBefore = 0;
        if (n >= MinHours)
        {
            // A tiny ridge on the non-intercept terms keeps the system solvable when a usage column is constant.
            for (var r = 1; r < p; r++)
            {
                a[r * p + r] += 1e-6 * Math.Max(a[r * p + r], 1) + 1e-9;
            }

            Span<double> beta = stackalloc double[p];
            if (Solve(a, v, beta, p))
            {
                s.UsageNow = beta[1];
                s.UsageBefore = beta[2];
            }
        }

        // Mean and variance of y − b₁a(h) − b₂a(h−1) from the same sums (y relative to the origin).
        double b1 = s.UsageNow, b2 = s.UsageBefore;
        double sa = sums[1], sal = sums[2];                 // Σa, Σa′ (row 0: 1·x)
        double saa = sums[p], saal = sums[p + 1];           // Σa², Σaa′ (row 1 starts at index p)
        double salal = sums[2 * p - 1];                     // Σa′² (row 2 starts at index 2p − 1)
        double sy = sums[k - p], say = sums[k - p + 1], saly = sums[k - p + 2];
        var sumAdj = sy - b1 * sa - b2 * sal;
        var sumAdj2 = yy - 2 * b1 * say - 2 * b2 * saly + b1 * b1 * saa + 2 * b1 * b2 * saal + b2 * b2 * salal;
        var mean = sumAdj / n;
        var variance = Math.Max(0, (sumAdj2 - n * mean * mean) / Math.Max(1, n - 1));
        s.AdjustedMean = s.Origin + mean;
        s.AdjustedStd = Math.Sqrt(variance);
    }

    /// <summary>Gaussian elimination with partial pivoting of a small dense system; false when singular.</summary>
    private static bool Solve(Span<double> a, Span<double> v, Span<double> x, int p)
    {
        for (var col = 0; col < p; col++)
        {
            var pivot = col;
            for (var r = col + 1; r < p; r++)
            {
                if (Math.Abs(a[r * p + col]) > Math.Abs(a[pivot * p + col]))
                {
                    pivot = r;
                }
            }

            if (Math.Abs(a[pivot * p + col]) < 1e-12)
            {
                return false;
            }

            if (pivot != col)
            {
                for (var c = 0; c < p; c++)
                {
                    (a[col * p + c], a[pivot * p + c]) = (a[pivot * p + c], a[col * p + c]);
                }

                (v[col], v[pivot]) = (v[pivot], v[col]);
            }

            for (var r = col + 1; r < p; r++)
            {
                var f = a[r * p + col] / a[col * p + col];
                for (var c = col; c < p; c++)
                {
                    a[r * p + c] -= f * a[col * p + c];
                }

                v[r] -= f * v[col];
            }
        }

        for (var r = p - 1; r >= 0; r--)
        {
            var sum = v[r];
            for (var c = r + 1; c < p; c++)
            {
                sum -= a[r * p + c] * x[c];
            }

            x[r] = sum / a[r * p + r];
        }

        return true;
    }

    internal struct SignalStats
    {
        public bool Ready;
        public double Mean;
        public double Std;

        /// <summary>Mean and std of the hourly means with the usage share removed (feature set 2).</summary>
        public double AdjustedMean;
        public double AdjustedStd;

        /// <summary>Signal units per info event in this hour / in the hour before.</summary>
        public double UsageNow;
        public double UsageBefore;
        public double Origin;

        /// <summary>Sums of the usage regression while learning (upper triangle of XᵀX, Xᵀy, yᵀy); null once frozen.</summary>
        public double[]? Sums;
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
