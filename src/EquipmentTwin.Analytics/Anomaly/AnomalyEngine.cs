using System.Globalization;
using System.Text;
using EquipmentTwin.Analytics.Engines;
using EquipmentTwin.Analytics.History;
using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Analytics.Anomaly;

/// <summary>
/// Inductive engine: scores each device's 6-hour windows with its modality's <see cref="AnomalyModel"/> and
/// speaks only on persistence (≥ 3 of the last 4 windows above threshold), naming the signals and component
/// that explain the window worst. A modality without a model gets no evidence (data quality still runs).
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

    public AnomalyEngine(AnomalyModelSet models)
    {
        Models = models;
    }

    public AnomalyModelSet Models { get; }

    public EngineKind Kind => EngineKind.Anomaly;

    public IDeviceEngine CreateDevice(DeviceContext context)
    {
        var model = Models.For(context.Modality);
        var features = AnomalyFeatures.For(context.Catalog);
        return new Device(context, features, model);
    }

    private sealed class Device : IDeviceEngine
    {
        private readonly DeviceContext _context;
        private readonly AnomalyFeatures _features;
        private readonly AnomalyModel? _model;
        private readonly AnomalyDeviceState _state;
        private readonly int[] _layoutOfModelFeature;
        private readonly float[] _defaults;
        private readonly float[] _modelRow;
        private readonly double[] _residual;
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
            _residual = new double[names.Count];
            for (var w = 0; w < _ring.Length; w++)
            {
                _ring[w] = new Window(_signalCount + 1);
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

            for (var i = 0; i < _modelRow.Length; i++)
            {
                var at = _layoutOfModelFeature[i];
                _modelRow[i] = at >= 0 ? row[at] : _defaults[i];
            }

            var score = _model.Score(_modelRow, _residual);
            var window = _ring[_windows % _ring.Length];
            window.Set(hourEndMs, score, score > _model.Threshold);
            for (var i = 0; i < _residual.Length; i++)
            {
                var at = _layoutOfModelFeature[i];
                var signal = at < 0 ? -1 : SignalIndexOfFeature(at);
                window.Contribution[signal < 0 ? _signalCount : signal] += _residual[i] * _residual[i];
            }

            for (var s = 0; s < _features.Signals.Count; s++)
            {
                window.Z[s] = row[3 * s];
            }

            _windows++;
            Decide(window, _state.Quality.Masked);
        }

        private int SignalIndexOfFeature(int layoutIndex)
        {
            var s = _features.Signals.Count;
            if (layoutIndex < 3 * s)
            {
                return layoutIndex / 3;
            }

            return layoutIndex < _features.EventsOffset ? s + (layoutIndex - 3 * s) : -1;
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
                if (above < PersistenceRequired)
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

            _evidence = [Build(latest, masked)];
        }

        private Evidence Build(Window latest, bool[] masked)
        {
            var model = _model!;
            var span = Math.Min(_windows, AttributionWindows);
            var contribution = new double[_signalCount + 1];
            var z = new double[_features.Signals.Count];
            double scoreSum = 0;
            for (var k = 0; k < span; k++)
            {
                var w = _ring[(_windows - 1 - k) % _ring.Length];
                for (var s = 0; s < contribution.Length; s++)
                {
                    contribution[s] += w.Contribution[s] / span;
                }

                for (var s = 0; s < z.Length; s++)
                {
                    z[s] += w.Z[s] / span;
                }

                scoreSum += w.Score;
            }

            var top = Enumerable.Range(0, _signalCount)
                .Where(s => !masked[s] && contribution[s] > 0)
                .OrderByDescending(s => contribution[s]).ThenBy(s => s)
                .Take(TopSignals).ToArray();
            var component = top.Length == 0 || contribution[_signalCount] > contribution[top[0]]
                ? "device"
                : top.GroupBy(s => SignalOf(s).Component)
                    .OrderByDescending(g => g.Sum(s => contribution[s])).ThenBy(g => g.Key, StringComparer.Ordinal).First().Key;

            var ratio = latest.Score / model.Threshold;
            var meanRatio = scoreSum / span / model.Threshold;
            var strength = Math.Clamp((Math.Max(ratio, meanRatio) - 1) / 2, 0, 1);
            var persistence = Math.Clamp((_aboveWhileActive - PersistenceRequired) / 5.0, 0, 1);
            var confidence = Math.Round(0.4 + 0.25 * strength + 0.25 * persistence, 3);
            var severity = ratio >= 3 && _aboveWhileActive >= 8 ? Severity.Error : Severity.Warning;

            var text = new StringBuilder("Unusual joint behaviour: ");
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
                    text.Append(CultureInfo.InvariantCulture, $"{name} {z[s]:+0.0;-0.0}σ");
                    readings.Add(new Reading($"{name}.z", Math.Round(z[s], 3), latest.EndMs));
                }
                else
                {
                    text.Append(CultureInfo.InvariantCulture, $"{name} rate");
                    readings.Add(new Reading($"{name}.rate", contribution[s], latest.EndMs));
                }
            }

            if (top.Length == 0)
            {
                text.Append("event counts");
            }

            text.Append(CultureInfo.InvariantCulture, $" over {span * 6} h (score {ratio:0.0}× threshold)");
            readings.Add(new Reading("score", Math.Round(latest.Score, 4), latest.EndMs));
            readings.Add(new Reading("threshold", Math.Round(model.Threshold, 4), latest.EndMs));
            return new Evidence(EngineKind.Anomaly, _source, component, _since, latest.EndMs, confidence, severity, text.ToString(), readings);
        }

        private Core.Catalog.SignalDefinition SignalOf(int s) =>
            s < _features.Signals.Count ? _features.Signals[s] : _features.CumulativeSignals[s - _features.Signals.Count];
    }

    private sealed class Window(int signals)
    {
        public readonly double[] Contribution = new double[signals];
        public readonly double[] Z = new double[signals];
        public long EndMs;
        public double Score;
        public bool Above;

        public void Set(long endMs, double score, bool above)
        {
            EndMs = endMs;
            Score = score;
            Above = above;
            Array.Clear(Contribution);
            Array.Clear(Z);
        }
    }
}
