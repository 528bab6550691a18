using System.Runtime.CompilerServices;
using EquipmentTwin.Analytics.History;
using EquipmentTwin.Core.Catalog;
using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Analytics.Anomaly;

/// <summary>
/// The feature vector of one device over one 6-hour window, in units of the device's own baseline; the
/// same layout and code for training (<see cref="AnomalyFeatureCollector"/>) and scoring (<see cref="AnomalyEngine"/>).
/// </summary>
/// <remarks>
/// Layout, stable per catalog (signals in ordinal name order):
/// for each non-cumulative signal <c>{signal}.z</c>, <c>{signal}.sd</c>, <c>{signal}.slope</c>; then
/// <c>{signal}.rate</c> for each cumulative signal; then <c>events.info</c> … <c>events.critical</c>.
/// A missing or masked signal contributes its baseline values (<see cref="BaselineValue"/>).
/// </remarks>
public sealed class AnomalyFeatures
{
    public const long WindowMs = 6 * DeviceHistory.HourMs;
    public const long SlopeSpanMs = 24 * DeviceHistory.HourMs;
    public const long DayMs = 24 * DeviceHistory.HourMs;

    /// <summary>
    /// What a window and the data-quality checks read of the history: hourly means over the slope span and 5-minute
    /// means over the window per signal, hourly points over the window per counter.
    /// </summary>
    public HistoryNeeds HistoryNeeds()
    {
        var needs = new HistoryNeeds();
        const double hours = DeviceHistory.HourMs;
        foreach (var s in Signals)
        {
            needs.Hourly(s.Name, Math.Max(SlopeSpanMs, DataQualityMonitor.StuckHours * DeviceHistory.HourMs) / hours)
                .FiveMinute(s.Name, WindowMs / hours);
        }

        foreach (var s in CumulativeSignals)
        {
            needs.Hourly(s.Name, WindowMs / hours);
        }

        return needs;
    }

    /// <summary>Features are clamped to ±this (or [0, this] for ratios) so one broken value cannot dominate the projection.</summary>
    public const float Clamp = 50f;

    private static readonly Severity[] Severities = [Severity.Info, Severity.Warning, Severity.Error, Severity.Critical];

    // One layout per catalog, shared by every device of the modality (it is immutable; ~8 KB a device when each kept its own).
    private static readonly ConditionalWeakTable<ModalityCatalog, AnomalyFeatures> Shared = new();

    /// <summary>The layouts of feature set 1, for models made before set 2 (one per catalog, as <see cref="Shared"/>).</summary>
    private static readonly ConditionalWeakTable<ModalityCatalog, AnomalyFeatures> SharedSet1 = new();

    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
    private readonly float[] _baseline;

    /// <summary>
    /// The feature set models are trained on now. 1: levels and slopes against the baseline's mean and std of hourly
    /// means (models made before 2026-12-06). 2: the same with the share of each hourly mean that the device's usage
    /// in that hour and the one before explains taken out (<see cref="DeviceBaseline"/>), so a busier week, a
    /// weekend clinic or night scanning does not read as a fault. Names and layout are the same in both.
    /// </summary>
    public const int CurrentFeatureSet = 2;

    private AnomalyFeatures(ModalityCatalog catalog, int featureSet)
    {
        if (featureSet is < 1 or > CurrentFeatureSet)
        {
            throw new ArgumentOutOfRangeException(nameof(featureSet), featureSet, $"Feature sets 1–{CurrentFeatureSet} are known.");
        }

        Catalog = catalog;
        FeatureSet = featureSet;
        Signals = catalog.Signals.Values.Where(s => !s.Cumulative).OrderBy(s => s.Name, StringComparer.Ordinal).ToArray();
        CumulativeSignals = catalog.Signals.Values.Where(s => s.Cumulative).OrderBy(s => s.Name, StringComparer.Ordinal).ToArray();
        var names = new List<string>();
        var signalOf = new List<string?>();
        foreach (var s in Signals)
        {
            foreach (var suffix in (string[])["z", "sd", "slope"])
            {
                names.Add($"{s.Name}.{suffix}");
                signalOf.Add(s.Name);
            }
        }

        foreach (var s in CumulativeSignals)
        {
            names.Add($"{s.Name}.rate");
            signalOf.Add(s.Name);
        }

        foreach (var sev in Severities)
        {
            names.Add($"events.{sev.ToWire()}");
            signalOf.Add(null);
        }

        Names = names.ToArray();
        SignalOfFeature = signalOf.ToArray();
        for (var i = 0; i < Names.Count; i++)
        {
            _index[Names[i]] = i;
        }

        _baseline = new float[Names.Count];
        for (var i = 0; i < Signals.Count; i++)
        {
            _baseline[3 * i + 1] = 1f; // window noise equal to the baseline's
        }
    }

    public ModalityCatalog Catalog { get; }

    /// <summary>How levels and slopes are measured (see <see cref="CurrentFeatureSet"/>).</summary>
    public int FeatureSet { get; }

    private bool UsageAdjusted => FeatureSet >= 2;

    /// <summary>Non-cumulative signals, in layout order: signal i owns features 3i (z), 3i+1 (sd), 3i+2 (slope).</summary>
    public IReadOnlyList<SignalDefinition> Signals { get; }

    /// <summary>Cumulative signals, in layout order, after the non-cumulative block.</summary>
    public IReadOnlyList<SignalDefinition> CumulativeSignals { get; }

    public IReadOnlyList<string> Names { get; }

    /// <summary>The signal each feature describes (null for event counts).</summary>
    public IReadOnlyList<string?> SignalOfFeature { get; }

    public int Count => Names.Count;

    public int EventsOffset => 3 * Signals.Count + CumulativeSignals.Count;

    public ReadOnlySpan<float> BaselineValue => _baseline;

    public int IndexOf(string featureName) => _index.TryGetValue(featureName, out var i) ? i : -1;

    public static AnomalyFeatures For(ModalityCatalog catalog, int featureSet = CurrentFeatureSet) => featureSet switch
    {
        CurrentFeatureSet => Shared.GetValue(catalog, c => new AnomalyFeatures(c, CurrentFeatureSet)),
        1 => SharedSet1.GetValue(catalog, c => new AnomalyFeatures(c, 1)),
        _ => new AnomalyFeatures(catalog, featureSet), // throws: an unknown set
    };

    /// <summary>The signal (layout index: signals, then cumulative signals) a feature describes, or −1 for event counts.</summary>
    public int SignalIndexOfFeature(int featureIndex)
    {
        var s = Signals.Count;
        if (featureIndex < 3 * s)
        {
            return featureIndex / 3;
        }

        return featureIndex < EventsOffset ? s + (featureIndex - 3 * s) : -1;
    }

    /// <summary>Per feature, whether its signal is masked; null when no signal is (the common case, no allocation).</summary>
    public bool[]? MissingOf(ReadOnlySpan<bool> maskedSignals)
    {
        if (maskedSignals.IndexOf(true) < 0)
        {
            return null;
        }

        var missing = new bool[Count];
        for (var i = 0; i < missing.Length; i++)
        {
            var signal = SignalIndexOfFeature(i);
            missing[i] = signal >= 0 && maskedSignals[signal];
        }

        return missing;
    }

    /// <summary>
    /// Computes the window ending at <paramref name="windowEndMs"/> into <paramref name="destination"/>;
    /// <paramref name="masked"/> (by layout signal index, then cumulative index) forces baseline values.
    /// </summary>
    internal void Compute(DeviceHistory history, DeviceBaseline baseline, HourlyActivity activity, long windowEndMs, ReadOnlySpan<int> eventCounts, ReadOnlySpan<bool> masked, Span<float> destination, Scratch scratch)
    {
        _baseline.CopyTo(destination);
        var windowStart = windowEndMs - WindowMs;
        for (var i = 0; i < Signals.Count; i++)
        {
            ref readonly var b = ref baseline.Signal(i);
            if (masked[i] || !b.Ready)
            {
                continue;
            }

            var name = Signals[i].Name;
            var hourly = history.Hourly(name);
            if (hourly is null)
            {
                continue;
            }

            scratch.Points.Clear();
            hourly.CopySince(windowEndMs - SlopeSpanMs, scratch.Points);
            var (level, std) = (b.Mean, b.Std);
            if (UsageAdjusted)
            {
                // Each hourly mean less the share its hour's usage explains, against the baseline of the same.
                for (var k = 0; k < scratch.Points.Count; k++)
                {
                    var p = scratch.Points[k];
                    scratch.Points[k] = p with { Mean = p.Mean - baseline.UsageShare(i, p.StartMs, activity) };
                }

                (level, std) = (b.AdjustedMean, b.AdjustedStd);
            }

            if (WindowMean(scratch.Points, windowStart, windowEndMs) is { } mean)
            {
                destination[3 * i] = ClampSym((mean - level) / std);
            }

            if (Slope(scratch.Points, windowEndMs) is { } slopePerMs)
            {
                destination[3 * i + 2] = ClampSym(slopePerMs * DayMs / std);
            }

            if (WindowNoise(history.FiveMinute(name), windowStart, windowEndMs, scratch) is { } noise)
            {
                var eps = 0.05 * b.Std;
                destination[3 * i + 1] = (float)Math.Clamp((noise + eps) / (b.Noise + eps), 0, Clamp);
            }
        }

        for (var c = 0; c < CumulativeSignals.Count; c++)
        {
            ref readonly var b = ref baseline.Cumulative(c);
            if (masked[Signals.Count + c] || !b.Ready)
            {
                continue;
            }

            if (WindowRate(history.Hourly(CumulativeSignals[c].Name), windowStart, windowEndMs, scratch) is { } rate)
            {
                destination[EventsOffset - CumulativeSignals.Count + c] = ClampSym(RateFeature(rate, b.Rate));
            }
        }

        for (var s = 0; s < Severities.Length; s++)
        {
            destination[EventsOffset + s] = ClampSym(Math.Log(1 + eventCounts[s]) - baseline.EventLevel(s));
        }
    }

    /// <summary>Rate of increase vs baseline on a log scale: 0 at the baseline rate, −0.69 when it stops, +0.69 at three times.</summary>
    internal static double RateFeature(double rate, double baselineRate) =>
        baselineRate > 0 ? Math.Log(1 + rate / baselineRate) - Math.Log(2) : Math.Log(1 + rate);

    /// <summary>Mean of the hourly means that start inside the window.</summary>
    internal static double? WindowMean(List<SeriesPoint> points, long fromMs, long toMs)
    {
        double sum = 0;
        var n = 0;
        foreach (var p in points)
        {
            if (p.StartMs >= fromMs && p.StartMs < toMs)
            {
                sum += p.Mean;
                n++;
            }
        }

        return n == 0 ? null : sum / n;
    }

    /// <summary>OLS slope (per ms) of the hourly means over the last 24 h; needs 6 points.</summary>
    internal static double? Slope(List<SeriesPoint> points, long toMs)
    {
        double n = 0, st = 0, sy = 0, stt = 0, sty = 0;
        foreach (var p in points)
        {
            if (p.StartMs >= toMs - SlopeSpanMs && p.StartMs < toMs)
            {
                var t = (p.StartMs - toMs) / (double)DeviceHistory.HourMs;
                n++;
                st += t;
                sy += p.Mean;
                stt += t * t;
                sty += t * p.Mean;
            }
        }

        if (n < 6)
        {
            return null;
        }

        var den = n * stt - st * st;
        return den <= 0 ? null : (n * sty - st * sy) / den / DeviceHistory.HourMs;
    }

    /// <summary>
    /// Noise level of the window: robust σ of successive differences of the 5-minute means
    /// (1.4826·MAD/√2), which ignores the daily cycle and isolated spikes.
    /// </summary>
    internal static double? WindowNoise(SignalSeries? fiveMinute, long fromMs, long toMs, Scratch scratch)
    {
        if (fiveMinute is null)
        {
            return null;
        }

        scratch.Buckets.Clear();
        fiveMinute.CopySince(fromMs, scratch.Buckets);
        scratch.Values.Clear();
        for (var i = 1; i < scratch.Buckets.Count; i++)
        {
            var (a, b) = (scratch.Buckets[i - 1], scratch.Buckets[i]);
            if (b.StartMs < toMs && b.StartMs - a.StartMs <= DeviceHistory.HourMs)
            {
                scratch.Values.Add(b.Mean - a.Mean);
            }
        }

        if (scratch.Values.Count < 6)
        {
            return null;
        }

        return 1.4826 * Robust.Mad(scratch.Values) / Math.Sqrt(2);
    }

    /// <summary>Increase per hour of a cumulative signal over the window (a counter reset counts as no increase).</summary>
    internal static double? WindowRate(SignalSeries? hourly, long fromMs, long toMs, Scratch scratch)
    {
        if (hourly is null)
        {
            return null;
        }

        scratch.Points.Clear();
        hourly.CopySince(fromMs, scratch.Points);
        SeriesPoint? first = null, last = null;
        foreach (var p in scratch.Points)
        {
            if (p.StartMs < toMs)
            {
                first ??= p;
                last = p;
            }
        }

        if (first is not { } f || last is not { } l)
        {
            return null;
        }

        return Math.Max(0, l.Last - f.Min) / (WindowMs / (double)DeviceHistory.HourMs);
    }

    private static float ClampSym(double v) => double.IsFinite(v) ? (float)Math.Clamp(v, -Clamp, Clamp) : 0f;

    /// <summary>Reused buffers so a window costs no allocation beyond its first.</summary>
    internal sealed class Scratch
    {
        [ThreadStatic]
        private static Scratch? t_shared;

        /// <summary>This thread's lists: they only live through one computation, so devices share them instead of each keeping its own.</summary>
        public static Scratch Shared => t_shared ??= new();

        public readonly List<SeriesPoint> Points = new(32);
        public readonly List<SeriesPoint> Buckets = new(80);
        public readonly List<double> Values = new(80);
    }
}
