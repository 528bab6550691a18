using System.Globalization;
using System.Text;
using EquipmentTwin.Analytics.Engines;
using EquipmentTwin.Analytics.History;
using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Analytics.Anomaly;

/// <summary>
/// Inductive engine: scores each device's 6-hour windows with its modality's <see cref="AnomalyModel"/> and
/// speaks only on persistence (≥ 3 of the last 4 windows above threshold), naming the signals and component
/// that explain the window worst. A window counts as above only when it stays above with the catalog's workload
/// counters treated as unknown: a change of work alone (a busier site, a device that is down) is not wear. No new
/// evidence opens on a device that has logged no activity for 12 hours (down or idle) until it works again.
/// A modality without a model gets no evidence (data quality still runs).
/// </summary>
public sealed class AnomalyEngine : IAnalyticsEngine
{
    public const int PersistenceWindows = 4;
    public const int PersistenceRequired = 3;

    /// <summary>Consecutive windows below threshold that withdraw the evidence.</summary>
    public const int WithdrawAfter = 4;

    /// <summary>Windows (6 h each) the attribution averages over: 48 h.</summary>
    public const int AttributionWindows = 8;

    public const int TopSignals = 3;

    /// <summary>A noise ratio at least this far from 1 (either way) is named in the summary.</summary>
    public const double NoiseMoved = 1.5;

    /// <summary>A slope of at least this many baseline σ per day is named in the summary.</summary>
    public const double SlopeMoved = 0.5;

    /// <summary>Share of the top component's contribution an upstream component needs to be blamed instead.</summary>
    public const double UpstreamShare = 0;

    /// <summary>Signals of an upstream component that must have moved for it to be blamed instead.</summary>
    public const int UpstreamMovedSignals = 2;

    /// <summary>How far (baseline σ, mean over the attribution span) a signal must have moved to count as moved.</summary>
    public const double UpstreamMovedSigma = 1.0;

    public AnomalyEngine(AnomalyModelSet models)
    {
        Models = models;
    }

    public AnomalyModelSet Models { get; }

    public EngineKind Kind => EngineKind.Anomaly;

    public IDeviceEngine CreateDevice(DeviceContext context)
    {
        var model = Models.For(context.Modality);
        // Features are computed the way the model was trained on them (feature set 1 for models made before 2026-12-06).
        var features = AnomalyFeatures.For(context.Catalog, model?.Info.FeatureSet ?? AnomalyFeatures.CurrentFeatureSet);
        return new Device(context, features, model);
    }

    public HistoryNeeds NeedsOf(DeviceContext context) => AnomalyFeatures.For(context.Catalog).HistoryNeeds();

    private sealed class Device : IDeviceEngine
    {
        private readonly DeviceContext _context;
        private readonly AnomalyFeatures _features;
        private readonly AnomalyModel? _model;
        private readonly AnomalyDeviceState _state;
        private readonly int[] _layoutOfModelFeature;
        private readonly float[] _defaults;
        private readonly float[] _modelRow;
        private readonly bool[] _missing;
        private readonly int[] _signalOfModelFeature;
        private readonly bool[] _workloadFeature;
        private readonly bool _hasWorkload;
        private readonly bool[] _healthMissing;
        private readonly int _signalCount;
        private readonly Window[] _ring = new Window[AttributionWindows];
        private readonly string _source;
        private int _windows;
        private Evidence[] _evidence = [];
        private long _since;
        private int _aboveWhileActive;
        private int _belowWhileActive;

        public Device(DeviceContext context, AnomalyFeatures features, AnomalyModel? model)
        {
            _context = context;
            _features = features;
            _model = model;
            _state = new AnomalyDeviceState(features, model?.Info.BaselineDays ?? AnomalyFeatureCollector.DefaultBaselineDays);
            _signalCount = features.Signals.Count + features.CumulativeSignals.Count;
            var names = model?.FeatureNames ?? [];
            _layoutOfModelFeature = names.Select(features.IndexOf).ToArray();
            _defaults = names.Select(n => n.EndsWith(".sd", StringComparison.Ordinal) ? 1f : 0f).ToArray();
            _modelRow = new float[names.Count];
            _missing = new bool[names.Count];
            _signalOfModelFeature = _layoutOfModelFeature.Select(at => at < 0 ? -1 : features.SignalIndexOfFeature(at)).ToArray();
            _workloadFeature = _signalOfModelFeature.Select(s => s >= 0 && SignalOf(s).Workload).ToArray();
            _hasWorkload = _workloadFeature.Contains(true);
            _healthMissing = new bool[names.Count];
            for (var w = 0; w < _ring.Length; w++)
            {
                _ring[w] = new Window(names.Count, features.Signals.Count);
            }

            _source = model is null ? "anomaly" : $"anomaly-pca/v{model.Version}";
        }

        public IReadOnlyList<Evidence> Evidence => _evidence;

        public IReadOnlyList<DataQualityIssue> DataQuality => _state.DataQuality;

        public void OnBucket(string signal, in SeriesPoint bucket, DeviceHistory history) => _state.OnBucket(signal, bucket);

        public void OnEvent(in LogRecord record, DeviceHistory history) => _state.OnEvent(record);

        public void OnMaintenance(MaintenanceRecord record, DeviceHistory history)
        {
            _state.OnMaintenance(record);
            _evidence = [];
            _windows = 0;
            _aboveWhileActive = 0;
            _belowWhileActive = 0;
        }

        public void OnHour(long hourEndMs, DeviceHistory history)
        {
            var row = _state.OnHour(hourEndMs, history);
            if (row.IsEmpty || _model is null)
            {
                return;
            }

            var masked = _state.Quality.Masked;
            for (var i = 0; i < _modelRow.Length; i++)
            {
                var at = _layoutOfModelFeature[i];
                _modelRow[i] = at >= 0 ? row[at] : _defaults[i];
                var signal = _signalOfModelFeature[i];
                _missing[i] = at < 0 || (signal >= 0 && masked[signal]);
            }

            var score = _model.Score(_modelRow, _missing);
            var window = _ring[_windows % _ring.Length];
            window.Set(hourEndMs, score, _model.Distance2(_modelRow, _missing), score > _model.Threshold && HealthAbove(), _modelRow, _missing);
            for (var s = 0; s < _features.Signals.Count; s++)
            {
                window.Z[s] = row[3 * s];
            }

            _windows++;
            Decide(window, masked);
        }

        /// <summary>Whether the window scores above the threshold with the workload counters unknown too (true when there are none).</summary>
        private bool HealthAbove()
        {
            if (!_hasWorkload)
            {
                return true;
            }

            for (var i = 0; i < _healthMissing.Length; i++)
            {
                _healthMissing[i] = _missing[i] || _workloadFeature[i];
            }

            return _model!.Score(_modelRow, _healthMissing) > _model.Threshold;
        }

        private void Decide(Window latest, bool[] masked)
        {
            var recent = Math.Min(_windows, PersistenceWindows);
            var above = 0;
            long firstAbove = latest.EndMs;
            for (var k = 0; k < recent; k++)
            {
                var w = _ring[(_windows - 1 - k) % _ring.Length];
                if (w.Above)
                {
                    above++;
                    firstAbove = Math.Min(firstAbove, w.EndMs);
                }
            }

            if (_evidence.Length == 0)
            {
                // A device that stopped working (no exam for half a day: failed and not yet repaired, switched off, a
                // long idle spell) is cold and its counters stand still, which the model never saw as normal. That is no
                // new fault: evidence waits until the device works again. Rules and physics still judge it meanwhile.
                if (above < PersistenceRequired || _state.IsIdle(latest.EndMs))
                {
                    return;
                }

                _since = firstAbove - AnomalyFeatures.WindowMs;
                _aboveWhileActive = above;
                _belowWhileActive = 0;
            }
            else if (latest.Above)
            {
                _aboveWhileActive++;
                _belowWhileActive = 0;
            }
            else if (++_belowWhileActive >= WithdrawAfter)
            {
                _evidence = [];
                return;
            }

            _evidence = [Build(latest, masked, above, recent)];
        }

        /// <summary>The evidence as the newest window leaves it; <paramref name="above"/> of the <paramref name="recent"/> newest windows were above the threshold.</summary>
        private Evidence Build(Window latest, bool[] masked, int above, int recent)
        {
            var model = _model!;
            var span = Math.Min(_windows, AttributionWindows);
            var z = new double[_features.Signals.Count];
            double scoreSum = 0;
            for (var k = 0; k < span; k++)
            {
                var w = _ring[(_windows - 1 - k) % _ring.Length];
                for (var s = 0; s < z.Length; s++)
                {
                    z[s] += w.Z[s] / span;
                }

                scoreSum += w.Score;
            }

            // Reconstruction-based contribution (Alcala & Qin 2009): how much the score falls when a signal, or
            // a component's signals, are treated as unknown. Averaged over the attribution windows.
            var bySignal = new double[_signalCount];
            var floor = 1e-3 * latest.Distance2;
            for (var s = 0; s < _signalCount; s++)
            {
                bySignal[s] = masked[s] ? 0 : Contribution(span, f => f == s);
                bySignal[s] = bySignal[s] > floor ? bySignal[s] : 0;
            }

            var components = Enumerable.Range(0, _signalCount).Where(s => bySignal[s] > 0).Select(s => SignalOf(s).Component)
                .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
            var byComponent = components.ToDictionary(c => c, c => Contribution(span, f => f >= 0 && !masked[f] && SignalOf(f).Component == c), StringComparer.Ordinal);
            var component = byComponent.Count == 0 ? "device" : RootCause(byComponent, z, masked);
            var top = Enumerable.Range(0, _signalCount)
                .Where(s => bySignal[s] > 0)
                .OrderByDescending(s => SignalOf(s).Component == component ? 1 : 0).ThenByDescending(s => bySignal[s]).ThenBy(s => s)
                .Take(TopSignals).ToArray();

            var ratio = latest.Score / model.Threshold;
            var meanRatio = scoreSum / span / model.Threshold;
            var strength = Math.Clamp((Math.Max(ratio, meanRatio) - 1) / 2, 0, 1);
            var persistence = Math.Clamp((_aboveWhileActive - PersistenceRequired) / 5.0, 0, 1);
            var confidence = Math.Round(0.4 + 0.25 * strength + 0.25 * persistence, 3);
            var severity = ratio >= 3 && _aboveWhileActive >= 8 ? Severity.Error : Severity.Warning;

            var text = new StringBuilder("Unusual joint drift: ");
            var readings = new List<Reading>(top.Length + 2);
            for (var k = 0; k < top.Length; k++)
            {
                var s = top[k];
                var name = SignalOf(s).Name;
                if (k > 0)
                {
                    text.Append(", ");
                }

                if (s < z.Length)
                {
                    // The three features of the signal, averaged over the attribution windows: level (σ of the
                    // baseline), noise (× the baseline's) and slope (baseline σ per day), so an alarm carried by a
                    // noisier or drifting signal at a normal level says so.
                    var (noise, slope) = (FeatureMean(span, 3 * s + 1), FeatureMean(span, 3 * s + 2));
                    text.Append(CultureInfo.InvariantCulture, $"{name} level {Math.Round(z[s], 1) + 0.0:+0.0;-0.0;+0.0}σ");
                    if (noise is { } sd && (sd >= NoiseMoved || sd <= 1 / NoiseMoved))
                    {
                        text.Append(CultureInfo.InvariantCulture, $", noise ×{sd:0.0#}");
                    }

                    if (slope is { } b && Math.Abs(b) >= SlopeMoved)
                    {
                        text.Append(CultureInfo.InvariantCulture, $", slope {b:+0.0;-0.0}σ/day");
                    }

                    readings.Add(new Reading($"{name}.z", Math.Round(z[s], 3), latest.EndMs));
                    if (noise is { } n)
                    {
                        readings.Add(new Reading($"{name}.sd", Math.Round(n, 3), latest.EndMs));
                    }

                    if (slope is { } d)
                    {
                        readings.Add(new Reading($"{name}.slope", Math.Round(d, 3), latest.EndMs));
                    }
                }
                else
                {
                    text.Append(CultureInfo.InvariantCulture, $"{name} rate");
                    readings.Add(new Reading($"{name}.rate", Math.Round(bySignal[s], 3), latest.EndMs));
                }
            }

            if (top.Length == 0)
            {
                text.Append("event counts and noise levels");
            }

            // The score is the newest window's; the alert stands on the persistence rule, so it can be open while that window
            // is back below the threshold (or counted below with the workload counters unknown): say how many were above.
            text.Append(CultureInfo.InvariantCulture, $" over {span * 6} h (score {ratio:0.0}× threshold, {above} of the last {recent} windows above it)");
            readings.Add(new Reading("score", Math.Round(latest.Score, 4), latest.EndMs));
            readings.Add(new Reading("threshold", Math.Round(model.Threshold, 4), latest.EndMs));
            return new Evidence(EngineKind.Anomaly, _source, component, _since, latest.EndMs, confidence, severity, text.ToString(), readings);
        }

        /// <summary>Mean of one feature over the newest <paramref name="span"/> windows where it was observed; null when it never was.</summary>
        private double? FeatureMean(int span, int feature)
        {
            double sum = 0;
            var n = 0;
            for (var k = 0; k < span; k++)
            {
                var w = _ring[(_windows - 1 - k) % _ring.Length];
                if (!w.Missing[feature])
                {
                    sum += w.Row[feature];
                    n++;
                }
            }

            return n == 0 ? null : sum / n;
        }

        /// <summary>
        /// The component that explains the windows most, unless a component that feeds it (catalog <c>feeds</c>)
        /// moved too: at least <see cref="UpstreamMovedSignals"/> of its signals ≥ <see cref="UpstreamMovedSigma"/>
        /// from their baseline, with some share of the score. A failing compressor warms the cold head it supplies
        /// (whose one temperature may explain most of the score), a worn cold head leaves the compressor's current
        /// and pressures alone.
        /// </summary>
        private string RootCause(Dictionary<string, double> byComponent, double[] z, bool[] masked)
        {
            var ranked = byComponent.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).ToList();
            var top = ranked[0];
            var candidates = ranked.Where(kv => kv.Key == top.Key || (kv.Value >= UpstreamShare * top.Value && Moved(kv.Key, z, masked) >= UpstreamMovedSignals))
                .Select(kv => kv.Key).ToList();
            return candidates.FirstOrDefault(c => !candidates.Any(o => o != c && _context.Catalog.Feeds(o, c))) ?? top.Key;
        }

        private int Moved(string component, double[] z, bool[] masked)
        {
            var n = 0;
            for (var s = 0; s < z.Length; s++)
            {
                n += !masked[s] && Math.Abs(z[s]) >= UpstreamMovedSigma && _features.Signals[s].Component == component ? 1 : 0;
            }

            return n;
        }

        /// <summary>
    /// Mean over the last <paramref name="span"/> windows of the squared distance minus the squared distance without
    /// the chosen signals (both before division by the observed dimensions, so that removing signals cannot raise it).
    /// </summary>
        private double Contribution(int span, Func<int, bool> remove)
        {
            var model = _model!;
            double sum = 0;
            for (var k = 0; k < span; k++)
            {
                var w = _ring[(_windows - 1 - k) % _ring.Length];
                for (var i = 0; i < _missing.Length; i++)
                {
                    _missing[i] = w.Missing[i] || remove(_signalOfModelFeature[i]);
                }

                var without = model.Distance2(w.Row, _missing);
                sum += w.Distance2 - without;
            }

            return sum / span;
        }

        private Core.Catalog.SignalDefinition SignalOf(int s) =>
            s < _features.Signals.Count ? _features.Signals[s] : _features.CumulativeSignals[s - _features.Signals.Count];
    }

    private sealed class Window(int features, int signals)
    {
        public readonly float[] Row = new float[features];
        public readonly bool[] Missing = new bool[features];
        public readonly double[] Z = new double[signals];
        public long EndMs;
        public double Score;
        public double Distance2;
        public bool Above;

        public void Set(long endMs, double score, double distance2, bool above, float[] row, bool[] missing)
        {
            EndMs = endMs;
            Score = score;
            Distance2 = distance2;
            Above = above;
            row.CopyTo(Row, 0);
            missing.CopyTo(Missing, 0);
            Array.Clear(Z);
        }
    }
}
