using EquipmentTwin.Analytics.Engines;
using EquipmentTwin.Analytics.History;
using EquipmentTwin.Core.Histories;
using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Analytics.Rul;

/// <summary>
/// The learned remaining-useful-life models as a source of evidence: per device it keeps the daily means of every
/// signal since the last repair (<see cref="DailySignalMeans"/>, the rows <c>twin simulate --mode histories</c> trains
/// on), and at the end of each day asks every model of the device's modality for the P10/P50/P90 remaining life of
/// the component it covers. A band whose P10 falls inside <see cref="HorizonDays"/> is evidence for fusion, with
/// the band as its forecast. The models are replaced in place (<see cref="SetModels"/>): the daily history stays,
/// every device predicts again with the new model at once. Not thread-safe, like the pipeline.
/// </summary>
public sealed class RulEngine(double horizonDays = RulEngine.DefaultHorizonDays, int keepDays = RulEngine.DefaultKeepDays) : IAnalyticsEngine
{
    public const double DefaultHorizonDays = 30;
    public const int DefaultKeepDays = 120;

    /// <summary>The evidence's source, and the forecast's "signal": remaining life reaching zero.</summary>
    public const string Source = "rul";

    private readonly List<RulDeviceEngine> _devices = new();

    public EngineKind Kind => EngineKind.Rul;

    /// <summary>A band whose P10 is within this many days is evidence that failure is near.</summary>
    public double HorizonDays { get; } = horizonDays > 0 ? horizonDays : throw new ArgumentOutOfRangeException(nameof(horizonDays));

    /// <summary>
    /// Days kept at each end of a long unit (its first days for the drift baseline, its last for the windows); the
    /// middle of a unit longer than twice this is forgotten, its age is not. Never fewer than a model's longest window.
    /// </summary>
    public int KeepDays => Math.Max(keepDays, Models.Select(m => m.Model.Spec.Windows.DefaultIfEmpty(1).Max()).DefaultIfEmpty(1).Max());

    public IReadOnlyList<RulComponentModel> Models { get; private set; } = [];

    /// <summary>How many times the models were replaced.</summary>
    public int Generation { get; private set; }

    /// <summary>Replaces the models in use; every device predicts again from its kept days.</summary>
    public void SetModels(IReadOnlyList<RulComponentModel> models)
    {
        Models = models.ToArray();
        Generation++;
        foreach (var d in _devices)
        {
            d.Refresh();
        }
    }

    /// <summary>Reads no window of the history: the daily means it keeps come from the closed buckets it is handed.</summary>
    public HistoryNeeds NeedsOf(DeviceContext context) => new();

    public IDeviceEngine CreateDevice(DeviceContext context)
    {
        var device = new RulDeviceEngine(this, context);
        _devices.Add(device);
        return device;
    }

    /// <summary>The evidence a band gives: none unless P10 is within the horizon; stronger when P50 is too.</summary>
    public Evidence? EvidenceOf(RulBand band, long sinceMs)
    {
        if (!band.Near)
        {
            return null;
        }

        var p50Near = band.P50Days <= HorizonDays;
        // P50 inside the horizon opens an alert on its own (0.7 ≥ the 0.5 threshold); P10 alone only corroborates.
        var confidence = p50Near ? 0.7 : 0.35;
        var severity = band.P50Days <= HorizonDays / 4 ? Severity.Error : Severity.Warning;
        var summary = FormattableString.Invariant(
            $"{band.Model}: remaining life of {band.Component} P50 {band.P50Days:0.#} d (P10 {band.P10Days:0.#} d – P90 {band.P90Days:0.#} d) as of the end of {Day(band.AsOfMs)}, {(p50Near ? "P50" : "P10")} within the {HorizonDays:0.#} d horizon");
        var readings = new Reading[]
        {
            new("rulP10Days", band.P10Days, band.AsOfMs),
            new("rulP50Days", band.P50Days, band.AsOfMs),
            new("rulP90Days", band.P90Days, band.AsOfMs),
        };
        var forecast = new Forecast(band.Component, Source, 0, ThresholdDirection.Below, band.P10Ms, band.P50Ms, band.P90Ms, band.Model,
            new Dictionary<string, double> { ["rulP10Days"] = band.P10Days, ["rulP50Days"] = band.P50Days, ["rulP90Days"] = band.P90Days, ["horizonDays"] = HorizonDays },
            0, band.Days, band.AsOfMs);
        return new Evidence(EngineKind.Rul, Source, band.Component, Math.Min(sinceMs, band.AsOfMs), band.AsOfMs, confidence, severity, summary, readings, forecast);
    }

    private static string Day(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms - 1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>One device's daily means since its last repair and its latest RUL band per component.</summary>
public sealed class RulDeviceEngine : IDeviceEngine
{
    private readonly RulEngine _owner;
    private readonly DeviceContext _context;
    private readonly DailySignalMeans _means = new(0);
    private readonly Dictionary<string, RulBand> _bands = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _nearSince = new(StringComparer.Ordinal);
    private int _firstDay = int.MinValue;
    private int _lastDay = int.MinValue;
    private int _latestDay = int.MinValue;
    private int _generation;
    private Evidence[] _evidence = [];

    internal RulDeviceEngine(RulEngine owner, DeviceContext context)
    {
        _owner = owner;
        _context = context;
        _generation = owner.Generation;
    }

    public IReadOnlyList<Evidence> Evidence => _evidence;

    public double HorizonDays => _owner.HorizonDays;

    /// <summary>The latest band of each component a model covers (also when failure is not near).</summary>
    public IReadOnlyCollection<RulBand> Bands => _bands.Values;

    public void OnBucket(string signal, in SeriesPoint bucket, DeviceHistory history)
    {
        var day = _means.DayOf(bucket.StartMs);
        if (day < _firstDay)
        {
            return;
        }

        _means.Add(day, signal, bucket.Mean * bucket.Count, bucket.Count);
        if (day > _latestDay)
        {
            _latestDay = day;
            Prune();
        }
    }

    public void OnEvent(in LogRecord record, DeviceHistory history)
    {
    }

    /// <summary>A repair or replacement starts a new unit the next day, as the exported histories do.</summary>
    public void OnMaintenance(MaintenanceRecord record, DeviceHistory history)
    {
        if (record.Action is not (MaintenanceAction.Repair or MaintenanceAction.Replace))
        {
            return;
        }

        var first = _means.FirstDayAfter(record.TimestampMs);
        if (first <= _firstDay)
        {
            return;
        }

        _firstDay = first;
        _means.RemoveBefore(first);
        _bands.Clear();
        _nearSince.Clear();
        _evidence = [];
    }

    public void OnHour(long hourEndMs, DeviceHistory history)
    {
        var complete = _means.DayOf(hourEndMs) - 1;
        if (complete > _lastDay || _generation != _owner.Generation)
        {
            Predict(complete);
        }
    }

    /// <summary>Predicts again with the owner's current models (after <see cref="RulEngine.SetModels"/>).</summary>
    internal void Refresh()
    {
        if (_lastDay != int.MinValue)
        {
            Predict(_lastDay);
        }
    }

    private void Predict(int lastDay)
    {
        _lastDay = lastDay;
        _generation = _owner.Generation;
        _bands.Clear();
        var evidence = new List<Evidence>();
        foreach (var model in _owner.Models)
        {
            if (model.Modality != _context.Modality || Band(model, lastDay) is not { } band)
            {
                continue;
            }

            _bands[band.Component] = band;
            if (!band.Near)
            {
                _nearSince.Remove(band.Component);
                continue;
            }

            var since = _nearSince.TryGetValue(band.Component, out var s) ? s : band.AsOfMs;
            _nearSince[band.Component] = since;
            if (_owner.EvidenceOf(band, since) is { } e)
            {
                evidence.Add(e);
            }
        }

        foreach (var gone in _nearSince.Keys.Where(c => !_bands.ContainsKey(c)).ToList())
        {
            _nearSince.Remove(gone);
        }

        _evidence = [.. evidence];
    }

    /// <summary>
    /// The model's band at the end of <paramref name="lastDay"/>: one row per day of the unit (an empty day is a row
    /// of missing values, as in the exported files), the middle of a long unit left out; null when the device lacks
    /// a column the model reads or has fewer than two days.
    /// </summary>
    private RulBand? Band(RulComponentModel model, int lastDay)
    {
        var spec = model.Model.Spec;
        var names = spec.SettingColumns.Concat(spec.Sensors).Distinct(StringComparer.Ordinal).ToArray();
        if (names.Any(n => !_means.Signals.Contains(n)))
        {
            return null;
        }

        var first = Math.Max(_firstDay, _means.Days.FirstOrDefault(int.MaxValue));
        if (first == int.MaxValue || lastDay - first < 1)
        {
            return null;
        }

        var keep = _owner.KeepDays;
        var days = new List<int>();
        for (var d = first; d <= lastDay; d++)
        {
            if (d - first < keep || lastDay - d < keep)
            {
                days.Add(d);
            }
        }

        var columns = names.Select(n => days.Select(d => _means.Mean(d, n)).ToArray()).ToArray();
        var unit = new RulUnit(_context.DeviceId, days.Select(DailySignalMeans.RowTime).ToArray(), columns);
        var p = model.Model.Predict(new RulHistory(_context.DeviceId, "", names, [unit]))[0];
        var asOf = (long)(DailySignalMeans.RowTime(lastDay) * DailySignalMeans.DayMs);
        return new RulBand(model.Component, model.Name, asOf, p.RulP10, p.RulP50, p.RulP90, days.Count, p.RulP10 <= _owner.HorizonDays);
    }

    /// <summary>Forgets days no model needs: those more than <see cref="RulEngine.KeepDays"/> after the unit's start and before the newest day.</summary>
    private void Prune()
    {
        var first = Math.Max(_firstDay, _means.Days.FirstOrDefault(int.MaxValue));
        var keep = _owner.KeepDays;
        if (_latestDay - first < 2 * keep)
        {
            return;
        }

        foreach (var d in _means.Days.Where(d => d - first >= keep && _latestDay - d >= keep).ToList())
        {
            _means.Remove(d);
        }
    }
}
