using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using EquipmentTwin.Analytics.Anomaly;
using EquipmentTwin.Analytics.Learning;
using EquipmentTwin.Analytics.Pipeline;
using EquipmentTwin.Core.Catalog;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Service.Analytics;
using EquipmentTwin.Storage;
using EquipmentTwin.Storage.Audit;
using EquipmentTwin.Storage.Labels;
using EquipmentTwin.Storage.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EquipmentTwin.Service.Models;

/// <summary>
/// The loop inside the service: builds anomaly candidates from the store's own telemetry and the labels, validates each
/// against its champion on held-out devices, and lets <see cref="PromotionGate"/> decide per modality. Every device of a
/// modality is read through the same feature collector the engine uses; devices are split by a hash of their id into
/// fitting, calibration and validation devices (never the same rows twice); the labels sort the rows
/// (<see cref="LabelledRows"/>) and judge the validation (<see cref="LabelledValidation"/>). One job at a time.
/// </summary>
public sealed partial class ModelRetrainer
{
    private const int MaxJobs = 20;

    private readonly ITelemetryStore _store;
    private readonly ILabelStore _labels;
    private readonly IModelRegistry _registry;
    private readonly Submit _submit;
    private readonly SignalCatalog _catalog;
    private readonly string _modelsDirectory;
    private readonly int _days;
    private readonly TimeProvider _time;
    private readonly ILogger<ModelRetrainer> _logger;
    private readonly object _gate = new();
    private readonly List<RetrainJob> _jobs = new();
    private RetrainJob? _running;
    private int _next;

    public ModelRetrainer(ITelemetryStore store, ILabelStore labels, IModelRegistry registry, ModelRegistryService models, SignalCatalog catalog,
        IOptions<AnalyticsOptions> analytics, IOptions<RetrainOptions> options, TimeProvider time, ILogger<ModelRetrainer> logger)
        : this(store, labels, registry, models.SubmitAsync, catalog, analytics.Value.Resolve(analytics.Value.ModelsDirectory, "models"), options.Value.Days, time, logger)
    {
    }

    private ModelRetrainer(ITelemetryStore store, ILabelStore labels, IModelRegistry registry, Submit submit, SignalCatalog catalog, string modelsDirectory, int days,
        TimeProvider time, ILogger<ModelRetrainer> logger)
    {
        _store = store;
        _labels = labels;
        _registry = registry;
        _submit = submit;
        _catalog = catalog;
        _modelsDirectory = modelsDirectory;
        _days = days;
        _time = time;
        _logger = logger;
    }

    /// <summary>Registers a candidate with its figures and applies the gate (in the service: and swaps a promoted one in).</summary>
    public delegate Task<(ModelRecord Record, GateDecision Decision)> Submit(ModelRecord candidate, HeldOutFigures figures, HeldOutFigures? championFigures, string actor, CancellationToken ct);

    /// <summary>The same loop outside the service (<c>twin models retrain</c>): decisions go to the registry and audit trail of the store; a running service picks a new champion up by polling.</summary>
    public static ModelRetrainer ForStore(ITelemetryStore store, ILabelStore labels, IModelRegistry registry, IAuditStore audit, SignalCatalog catalog, string modelsDirectory, int days, TimeProvider time) =>
        new(store, labels, registry, (c, f, cf, actor, ct) => PromotionGate.SubmitAsync(registry, audit, c, f, cf, actor, time.GetUtcNow(), ct), catalog, modelsDirectory, days, time,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<ModelRetrainer>.Instance);

    /// <summary>The last jobs, newest first.</summary>
    public IReadOnlyList<RetrainJob> Jobs
    {
        get
        {
            lock (_gate)
            {
                return _jobs.AsEnumerable().Reverse().ToArray();
            }
        }
    }

    public RetrainJob? Find(string id)
    {
        lock (_gate)
        {
            return _jobs.FirstOrDefault(j => j.Id == id);
        }
    }

    /// <summary>Starts a retrain in the background; null when one is already running.</summary>
    public RetrainJob? TryStart(string actor, string trigger, CancellationToken stopping = default)
    {
        RetrainJob job;
        lock (_gate)
        {
            if (_running is not null)
            {
                return null;
            }

            job = new RetrainJob((++_next).ToString(CultureInfo.InvariantCulture), actor, trigger, _time.GetUtcNow());
            _running = job;
            _jobs.Add(job);
            if (_jobs.Count > MaxJobs)
            {
                _jobs.RemoveAt(0);
            }
        }

        _ = Task.Run(() => RunJobAsync(job, stopping), CancellationToken.None);
        return job;
    }

    private async Task RunJobAsync(RetrainJob job, CancellationToken ct)
    {
        RetrainJob done;
        try
        {
            LogStarted(job.Id, job.Trigger, job.RequestedBy);
            var results = await RetrainAsync(job.RequestedBy, ct).ConfigureAwait(false);
            done = job with { State = "succeeded", FinishedAt = _time.GetUtcNow(), Results = results };
            LogFinished(job.Id, string.Join("; ", results.Select(r => $"{r.Kind} {r.State}")));
        }
        catch (Exception ex)
        {
            LogFailed(ex, job.Id);
            done = job with { State = "failed", FinishedAt = _time.GetUtcNow(), Error = ex.Message };
        }

        lock (_gate)
        {
            var i = _jobs.FindIndex(j => j.Id == job.Id);
            if (i >= 0)
            {
                _jobs[i] = done;
            }

            _running = null;
        }
    }

    /// <summary>One round of the loop on the store: per modality, train → validate → gate → promote. Results per kind.</summary>
    public async Task<IReadOnlyList<RetrainResult>> RetrainAsync(string actor, CancellationToken ct)
    {
        var labels = (await _labels.ListAsync(null, ct).ConfigureAwait(false))
            .Select(l => new TrainingLabel(l.Kind, l.DeviceId, l.AtMs, l.UntilMs)).ToList();
        var devices = (await _store.LoadDevicesAsync(ct).ConfigureAwait(false))
            .Where(d => d.Nameplate is not null && d.Latest.Count > 0).ToList();
        var results = new List<RetrainResult>();
        foreach (var group in devices.GroupBy(d => d.Nameplate!.Modality).OrderBy(g => g.Key))
        {
            results.Add(await RetrainModalityAsync(group.Key, group.ToList(), labels, actor, ct).ConfigureAwait(false));
        }

        return results;
    }

    private async Task<RetrainResult> RetrainModalityAsync(Modality modality, List<DeviceSnapshot> devices, List<TrainingLabel> labels, string actor, CancellationToken ct)
    {
        var kind = ModelKinds.Anomaly(modality);
        if (devices.Count < 3)
        {
            return new(kind, null, "skipped", F($"{devices.Count} {modality.ToWire()} device(s) in the store: fitting, calibration and validation need one device each at least"), null, null);
        }

        // A stable split by device: the same device always plays the same part, whatever else the store holds.
        var ordered = devices.OrderBy(d => Hash(d.DeviceId), StringComparer.Ordinal).ToList();
        var share = Math.Max(1, devices.Count / 5);
        var validation = ordered.Take(share).Select(d => d.DeviceId).ToHashSet(StringComparer.Ordinal);
        var calibration = ordered.Skip(share).Take(share).Select(d => d.DeviceId).ToHashSet(StringComparer.Ordinal);

        var (rows, names) = await CollectAsync(modality, devices, ct).ConfigureAwait(false);
        var championRecord = await _registry.ChampionAsync(kind, ct).ConfigureAwait(false);
        var champion = championRecord?.Artifact is { } zip && File.Exists(zip) ? AnomalyModel.Load(zip) : null;
        var training = rows.Where(r => !validation.Contains(r.DeviceId)).ToList();
        var flagged = champion is null ? [] : AlarmEpisodes.Find(champion, training);
        var split = LabelledRows.Split(training, labels, flagged, d => calibration.Contains(d));
        if (split.Fit.Count < 50 || names is null)
        {
            return new(kind, null, "skipped", F($"{split.Fit.Count} healthy feature rows to fit on (at least 50 needed; {split.Excluded} left out by labels or unreviewed alarms)"), null, null);
        }

        var directory = _modelsDirectory;
        var version = Math.Max(AnomalyModelSet.NextVersion(directory, modality),
            (await _registry.ListAsync(kind, ct).ConfigureAwait(false)).Select(r => r.Version).DefaultIfEmpty(0).Max() + 1);
        var fit = split.Fit.OrderBy(r => r.DeviceId, StringComparer.Ordinal).ThenBy(r => r.WindowEndMs).ToList();
        var candidate = AnomalyTrainer.Train(modality, fit, names, new AnomalyTrainingOptions { Version = version, Seed = 1 });
        if (split.Calibration.Count > 0)
        {
            candidate = AnomalyThresholdCalibrator.Calibrate(candidate, [split.Calibration], []);
        }

        var heldOutRows = rows.Where(r => validation.Contains(r.DeviceId)).ToList();
        var heldOut = F($"{validation.Count} held-out {modality.ToWire()} device(s) of the store ({string.Join(", ", validation.Order(StringComparer.Ordinal))}), judged by their labels");
        var candidateFigures = Figures(LabelledValidation.Score(candidate, heldOutRows, labels), heldOut);
        var championFigures = champion is null ? null : Figures(LabelledValidation.Score(champion, heldOutRows, labels), heldOut);
        var file = Path.GetFullPath(candidate.Save(directory));
        var now = _time.GetUtcNow();
        var record = ModelRegistryService.AnomalyRecord(kind, candidate.Info, file, now) with
        {
            Source = F($"store telemetry: {devices.Count - validation.Count - calibration.Count} device(s) fitted, {calibration.Count} calibrated; labels: {split.KnownHealthy} known-healthy rows, {split.Excluded} rows left out"),
            ChangedBy = actor,
        };
        var (stored, decision) = await _submit(record, candidateFigures, championFigures, actor, ct).ConfigureAwait(false);
        return new(kind, stored.Version, stored.State.ToWire(), decision.Reason, candidateFigures, championFigures);
    }

    /// <summary>Feeds every device's stored log (the last <see cref="RetrainOptions.Days"/> days) through a fresh feature collector.</summary>
    private async Task<(List<AnomalyFeatureRow> Rows, string[]? Names)> CollectAsync(Modality modality, List<DeviceSnapshot> devices, CancellationToken ct)
    {
        var collector = new AnomalyFeatureCollector();
        var pipeline = new AnalyticsPipeline([collector], _catalog);
        long end = 0;
        foreach (var device in devices)
        {
            var last = device.Latest.Values.Max(v => v.TimestampMs) + 1;
            end = Math.Max(end, last);
            var to = DateTimeOffset.FromUnixTimeMilliseconds(last);
            var from = to - TimeSpan.FromDays(_days);
            var records = await _store.QueryRecordsAsync(device.DeviceId, from, to, ct).ConfigureAwait(false);
            var maintenance = await _store.QueryMaintenanceAsync(device.DeviceId, from, to, 10_000, ct).ConfigureAwait(false);
            var m = 0;
            var chunk = new List<LogRecord>(4096);
            foreach (var r in records)
            {
                while (m < maintenance.Count && maintenance[m].TimestampMs <= r.TimestampMs)
                {
                    Flush();
                    pipeline.ProcessMaintenance(device.DeviceId, device.Site, modality, maintenance[m++]);
                }

                chunk.Add(r);
                if (chunk.Count == chunk.Capacity)
                {
                    Flush();
                }
            }

            Flush();
            for (; m < maintenance.Count; m++)
            {
                pipeline.ProcessMaintenance(device.DeviceId, device.Site, modality, maintenance[m]);
            }

            void Flush()
            {
                if (chunk.Count > 0)
                {
                    pipeline.Process(device.DeviceId, device.Site, modality, chunk.ToArray());
                    chunk.Clear();
                }
            }
        }

        pipeline.AdvanceAllTo(end);
        var rows = collector.RowsFor(modality).ToList();
        return (rows, rows.Count > 0 ? collector.FeatureNames(modality) : null);
    }

    private static HeldOutFigures Figures(LabelledFigures f, string heldOut) => new(f.Recall, f.FalseAlarmsPer100DeviceMonths, f.Faults, f.FalseAlarms, heldOut);

    private static string Hash(string deviceId) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(deviceId)));

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    [LoggerMessage(Level = LogLevel.Information, Message = "Retrain {Job} started ({Trigger}, by {Actor})")]
    private partial void LogStarted(string job, string trigger, string actor);

    [LoggerMessage(Level = LogLevel.Information, Message = "Retrain {Job} finished: {Results}")]
    private partial void LogFinished(string job, string results);

    [LoggerMessage(Level = LogLevel.Error, Message = "Retrain {Job} failed")]
    private partial void LogFailed(Exception ex, string job);
}
