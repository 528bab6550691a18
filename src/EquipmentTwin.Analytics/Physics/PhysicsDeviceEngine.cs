using System.Globalization;
using EquipmentTwin.Analytics.Engines;
using EquipmentTwin.Analytics.History;
using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Analytics.Physics;

/// <summary>
/// The physics models of one device: refits each model at most every <see cref="PhysicsModel.RefitHours"/> on
/// the hour tick, starts a model afresh after maintenance of its component (or one of its reset events), and
/// keeps at most one piece of evidence per model. State is a few fields per model.
/// </summary>
internal sealed class PhysicsDeviceEngine : IDeviceEngine
{
    private const long HourMs = DeviceHistory.HourMs;
    private readonly ModelState[] _states;
    private Evidence[] _evidence = [];
    private bool _dirty;

    private readonly string _deviceId;
    private readonly PhysicsEngine? _owner;

    public PhysicsDeviceEngine(IReadOnlyList<PhysicsModel> models, string deviceId = "", PhysicsEngine? owner = null)
    {
        _states = models.Select(m => new ModelState(m)).ToArray();
        _deviceId = deviceId;
        _owner = owner;
    }

    public IReadOnlyList<Evidence> Evidence
    {
        get
        {
            if (_dirty)
            {
                _evidence = _states.Where(s => s.Evidence is not null).Select(s => s.Evidence!).ToArray();
                _dirty = false;
            }

            return _evidence;
        }
    }

    public void OnBucket(string signal, in SeriesPoint bucket, DeviceHistory history)
    {
    }

    public void OnEvent(in LogRecord record, DeviceHistory history)
    {
        foreach (var s in _states)
        {
            if (s.Model.ResetCodes.Count > 0 && s.Model.ResetCodes.Contains(record.Code!, StringComparer.Ordinal))
            {
                Reset(s, record.TimestampMs);
            }
        }
    }

    public void OnMaintenance(MaintenanceRecord record, DeviceHistory history)
    {
        foreach (var s in _states)
        {
            if (string.Equals(s.Model.Component, record.Component, StringComparison.Ordinal) || s.Model.ResetComponents.Contains(record.Component, StringComparer.Ordinal))
            {
                Reset(s, record.TimestampMs);
            }
        }
    }

    public void OnHour(long hourEndMs, DeviceHistory history)
    {
        foreach (var s in _states)
        {
            if (hourEndMs >= s.NextFitMs)
            {
                s.NextFitMs = hourEndMs + (long)(s.Model.RefitHours * HourMs);
                Refit(s, hourEndMs, history);
            }
        }
    }

    private void Reset(ModelState s, long atMs)
    {
        s.ResetMs = Math.Max(s.ResetMs, atMs);
        s.Baseline = null;
        s.SinceMs = null;
        s.NextFitMs = long.MinValue;
        if (s.Evidence is not null)
        {
            s.Evidence = null;
            _dirty = true;
        }
    }

    private void Refit(ModelState s, long nowMs, DeviceHistory history)
    {
        var from = Math.Max(s.ResetMs, Math.Max(history.FirstMs ?? nowMs, history.LastMaintenanceMs(s.Model.Component) ?? long.MinValue));
        if (from != s.BaselineFromMs)
        {
            s.BaselineFromMs = from;
            s.Baseline = null;
        }

        if (s.Model.NeedsBaseline && s.Baseline is null)
        {
            s.Baseline = PhysicsModelEvaluator.Baseline(s.Model, history, from, nowMs);
            if (s.Baseline is { } b && _owner is { Observed: true } && PhysicsCalibration.Of(_deviceId, s.Model, history, from, b, nowMs) is { } calibration)
            {
                _owner.OnCalibrated(calibration);
            }
        }

        var projection = PhysicsModelEvaluator.Evaluate(s.Model, history, nowMs, from, s.Baseline);
        var evidence = projection is null || projection.Band.P50 > s.Model.HorizonDays ? null : Build(s, projection, nowMs);
        if (evidence is not null || s.Evidence is not null)
        {
            s.Evidence = evidence;
            _dirty = true;
        }
    }

    private static Evidence Build(ModelState s, Projection p, long nowMs)
    {
        var m = s.Model;
        s.SinceMs ??= nowMs;
        var b = p.Band;
        long At(double days) => nowMs + (long)Math.Round(days * PhysicsModelEvaluator.DayMs);
        var forecast = new Forecast(
            m.Component,
            m.Signal ?? string.Join("+", m.Codes),
            p.Threshold,
            m.Direction,
            At(b.P10),
            At(b.P50),
            At(b.P90),
            m.ModelName,
            p.Parameters,
            p.RSquared,
            p.Points,
            nowMs);
        // The published quantiles come from a calibrated table when the model has one: the per-quantile offsets from the
        // fit's P50 (the table for the evidence's age), or, once the crossing is observed, the days after such crossings.
        // Alerting, severity and confidence still use the fit.
        var fitLogSd = BandQuantiles.FitLogSd(b, m.ModelSpread);
        var ageDays = (nowMs - s.SinceMs.Value) / PhysicsModelEvaluator.DayMs;
        var published = m.BandQuantilesAt(ageDays) is { } table && b.LogSd > 0 && b.P50 > 0 && !p.Crossed ? table.Apply(b.P50, fitLogSd)
            : p.Crossed && m.AfterCrossingDays is { } after ? after.AfterCrossing()
            : null;
        var (p10, p50, p90) = (b.P10, b.P50, b.P90);
        if (published is { } q)
        {
            // P50 0 when crossed; the evidence's age chose the table.
            var parameters = new Dictionary<string, double>(p.Parameters) { ["fit_p50_days"] = b.P50, ["fit_log_sd"] = fitLogSd, ["evidence_age_days"] = Math.Round(ageDays, 4) };
            forecast = forecast with { Parameters = parameters, P05Ms = At(q[0]), P10Ms = At(q[1]), P25Ms = At(q[2]), P50Ms = At(q[3]), P75Ms = At(q[4]), P90Ms = At(q[5]), P95Ms = At(q[6]) };
            (p10, p50, p90) = (q[1], q[3], q[5]);
        }

        var severity = b.P50 < 3 ? Severity.Critical : b.P50 < 14 ? Severity.Error : Severity.Warning;
        var summary = p.Crossed
            ? m.AfterCrossingDays is null
                ? Inv($"{p.Trend}; {p.Target} crossed (observed); R² {p.RSquared:0.00} on {p.Points} {p.PointsNoun}")
                : Inv($"{p.Trend}; {p.Target} crossed (observed), failure in {p50:0.0} d (P10 {p10:0.0} d – P90 {p90:0.0} d) after such crossings; R² {p.RSquared:0.00} on {p.Points} {p.PointsNoun}")
            : Inv($"{p.Trend}; {p.Target} in {p50:0.0} d (P10 {p10:0.0} d – P90 {p90:0.0} d); R² {p.RSquared:0.00} on {p.Points} {p.PointsNoun}");
        return new Evidence(
            EngineKind.Physics,
            m.Id,
            m.Component,
            s.SinceMs.Value,
            nowMs,
            Math.Clamp(p.Confidence, 0, 1),
            severity,
            summary,
            [new Reading("slope_per_day", p.Slope, nowMs), new Reading("current", p.Current, nowMs), new Reading("threshold", p.Threshold, nowMs)],
            forecast);
    }

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private sealed class ModelState(PhysicsModel model)
    {
        public PhysicsModel Model { get; } = model;
        public long ResetMs { get; set; } = long.MinValue;
        public long NextFitMs { get; set; } = long.MinValue;
        public long BaselineFromMs { get; set; } = long.MinValue;
        public double? Baseline { get; set; }
        public long? SinceMs { get; set; }
        public Evidence? Evidence { get; set; }
    }
}
