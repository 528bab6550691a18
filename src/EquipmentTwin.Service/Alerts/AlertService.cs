using System.Text.Json;
using EquipmentTwin.Analytics.Anomaly;
using EquipmentTwin.Analytics.Engines;
using EquipmentTwin.Analytics.Fusion;
using EquipmentTwin.Analytics.Pipeline;
using EquipmentTwin.Analytics.Rul;
using EquipmentTwin.Core.Twins;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Service.Analytics;
using EquipmentTwin.Service.Broker;
using EquipmentTwin.Service.Live;
using EquipmentTwin.Service.Models;
using EquipmentTwin.Service.Twins;
using EquipmentTwin.Storage;
using EquipmentTwin.Storage.Audit;
using EquipmentTwin.Storage.Labels;
using EquipmentTwin.Storage.Models;
using Microsoft.Extensions.Logging;

namespace EquipmentTwin.Service.Alerts;

/// <summary>
/// Owns what happens to alerts once fusion has made them: every change is stored, written to the audit trail
/// (who, wall time, event time, from → to, why), published on the <c>alerts</c> topic and the live feed, and
/// the device's twin (health, forecasts, open alerts, data quality, model versions) is refreshed and its
/// summary republished retained on <c>twin</c> when it changed. Engineers act on alerts through
/// <see cref="ActAsync"/>; the actor is whoever the HTTP layer authenticated, never a name from a body.
/// The analytics pipeline is not thread-safe: every use of it here and in <see cref="AnalyticsService"/> locks it.
/// </summary>
public sealed partial class AlertService
{
    /// <summary>The actor of changes made by the engines themselves (opened, updated, cleared).</summary>
    public const string SystemActor = "system";

    private readonly AnalyticsPipeline _pipeline;
    private readonly TwinRegistry _twins;
    private readonly IAlertStore _alerts;
    private readonly IAuditStore _audit;
    private readonly IMqttPublisher _publisher;
    private readonly LiveFeed _feed;
    private readonly TimeProvider _time;
    private readonly ILogger<AlertService> _logger;
    private readonly SemaphoreSlim _flushLock = new(1, 1);

    // Guarded by the pipeline lock.
    private readonly Dictionary<string, MaintenanceAlert> _changed = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AlertState> _lastState = new(StringComparer.Ordinal);
    private readonly List<AuditEntry> _pendingAudit = new();
    private readonly HashSet<string> _touchedDevices = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _publishedSummary = new(StringComparer.Ordinal);
    private (string Actor, string? Comment)? _acting;

    private readonly ModelsInUse _models;
    private readonly ILabelStore _labels;

    public AlertService(AnalyticsPipeline pipeline, TwinRegistry twins, IAlertStore alerts, IAuditStore audit, IMqttPublisher publisher, LiveFeed feed, TimeProvider time, ModelsInUse models, ILabelStore labels, ILogger<AlertService> logger)
    {
        _labels = labels;
        _models = models;
        _pipeline = pipeline;
        _twins = twins;
        _alerts = alerts;
        _audit = audit;
        _publisher = publisher;
        _feed = feed;
        _time = time;
        _logger = logger;
        _pipeline.Alerts.Changed += OnChanged;
    }

    /// <summary>True while stored history is replayed at start-up: evidence updates then are not new to anyone and are not audited.</summary>
    public bool Replaying { get; set; }

    /// <summary>Restores stored alerts into fusion (start-up, before replay).</summary>
    public async Task RestoreAsync(CancellationToken ct)
    {
        var stored = await _alerts.LoadAlertsAsync(ct).ConfigureAwait(false);
        lock (_pipeline)
        {
            foreach (var a in stored)
            {
                try
                {
                    var alert = MaintenanceAlert.FromSnapshot(AlertJson.Deserialize(a.Json));
                    _pipeline.Alerts.Restore(alert);
                    _lastState[alert.Id] = alert.State;
                }
                catch (JsonException ex)
                {
                    LogBadStoredAlert(ex, a.Id);
                }
            }
        }
    }

    /// <summary>Marks a device whose analysis may have moved (called under the pipeline lock after processing).</summary>
    internal void Touch(string deviceId) => _touchedDevices.Add(deviceId);

    private void OnChanged(MaintenanceAlert alert, AlertChangeKind kind)
    {
        // Raised by fusion inside the pipeline lock.
        _changed[alert.Id] = alert;
        _touchedDevices.Add(alert.DeviceId);
        var from = _lastState.TryGetValue(alert.Id, out var s) ? s : (AlertState?)null;
        _lastState[alert.Id] = alert.State;
        if (kind == AlertChangeKind.Updated && Replaying)
        {
            return;
        }

        var (actor, comment) = _acting ?? (kind switch
        {
            AlertChangeKind.Resolved or AlertChangeKind.FalseAlarm => (alert.ClosedBy ?? SystemActor, alert.ClosedReason),
            AlertChangeKind.Opened => (SystemActor, Describe(alert)),
            _ => (SystemActor, Describe(alert)),
        });
        _pendingAudit.Add(new AuditEntry(0, alert.Id, alert.DeviceId, actor, _time.GetUtcNow(), alert.UpdatedMs, Verb(kind), from?.ToWire(), alert.State.ToWire(), comment));
        if (from != alert.State)
        {
            LogStateChanged(alert.Id, from?.ToWire() ?? "new", alert.State.ToWire(), alert.Component, alert.Severity.ToWire(), alert.Confidence, actor);
        }
        else
        {
            LogUpdated(alert.Id, alert.Confidence, alert.Revision);
        }
    }

    private static string Verb(AlertChangeKind kind) => kind switch
    {
        AlertChangeKind.Opened => "opened",
        AlertChangeKind.Updated => "updated",
        AlertChangeKind.Acknowledged => "acknowledged",
        AlertChangeKind.Resolved => "resolved",
        _ => "false-alarm",
    };

    private static string Describe(MaintenanceAlert a) =>
        $"{a.Component}: confidence {a.Confidence:0.00}, {a.Severity.ToWire()}, evidence from {string.Join(", ", a.Evidence.Select(e => AlertJson.Engine(e.Engine)).Distinct())}" +
        (a.Forecast is { } f ? $"; P50 crossing {WireCodec.FormatRfc3339(f.P50Ms)}" : "");

    // ---- queries ----

    /// <summary>Alerts, most pressing first. <paramref name="states"/>: null for open and acknowledged, otherwise the states wanted.</summary>
    public IReadOnlyList<AlertSnapshot> Alerts(string? deviceId = null, IReadOnlySet<AlertState>? states = null)
    {
        lock (_pipeline)
        {
            return _pipeline.Alerts.All
                .Where(a => (deviceId is null || a.DeviceId == deviceId) && (states is null ? !a.State.IsClosed() : states.Contains(a.State)))
                .OrderByDescending(a => a.State.IsClosed() ? 0 : 1).ThenByDescending(a => a.Severity).ThenByDescending(a => a.Confidence).ThenByDescending(a => a.UpdatedMs).ThenBy(a => a.Id, StringComparer.Ordinal)
                .Select(a => a.ToSnapshot()).ToList();
        }
    }

    public AlertSnapshot? Alert(string id)
    {
        lock (_pipeline)
        {
            return _pipeline.Alerts.Find(id)?.ToSnapshot();
        }
    }

    public Task<IReadOnlyList<AuditEntry>> HistoryAsync(string id, CancellationToken ct) => _audit.HistoryAsync(id, ct);

    /// <summary>The twin summary as published on the <c>twin</c> topic.</summary>
    public TwinSummaryDto? Summary(string deviceId)
    {
        lock (_pipeline)
        {
            return SummaryLocked(deviceId);
        }
    }

    // ---- engineer actions ----

    /// <summary>
    /// An engineer's decision, stamped with the device's current event time and the wall time. Legal moves:
    /// open → acknowledged; open or acknowledged → resolved or false alarm.
    /// </summary>
    public async Task<AlertActionResult> ActAsync(string id, AlertAction action, string actor, string? comment, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        AlertActionResult result;
        lock (_pipeline)
        {
            var alert = _pipeline.Alerts.Find(id);
            if (alert is null)
            {
                return AlertActionResult.NotFound;
            }

            var now = _pipeline.Find(alert.DeviceId)?.History.NowMs is { } n && n > long.MinValue ? n : alert.UpdatedMs;
            _acting = (actor, comment);
            try
            {
                var done = action switch
                {
                    AlertAction.Acknowledge => _pipeline.Alerts.Acknowledge(id, now, actor),
                    AlertAction.Resolve => _pipeline.Alerts.Resolve(id, now, comment is { Length: > 0 } ? comment : null, actor),
                    _ => _pipeline.Alerts.MarkFalseAlarm(id, now, comment is { Length: > 0 } ? comment : null, actor),
                };
                result = new AlertActionResult(done ? AlertActionOutcome.Done : AlertActionOutcome.IllegalTransition, alert.ToSnapshot());
            }
            finally
            {
                _acting = null;
            }
        }

        if (result.Outcome == AlertActionOutcome.Done)
        {
            await FlushAsync(ct).ConfigureAwait(false);
            if (action == AlertAction.FalseAlarm)
            {
                // The engineer's word becomes a label the next training and validation learn from.
                var a = result.Alert!;
                await _labels.AddAsync([new Label(Label.FalseAlarm, a.DeviceId, a.Component, a.OpenedMs, a.ClosedMs ?? a.UpdatedMs, a.Id, actor, _time.GetUtcNow(), "api", comment)], ct).ConfigureAwait(false);
            }
        }

        return result;
    }

    // ---- persistence and publishing ----

    /// <summary>Stores, audits and publishes what changed since the last flush, and refreshes the twins it touched.</summary>
    public async Task FlushAsync(CancellationToken ct)
    {
        await _flushLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            List<AlertSnapshot> changed;
            List<AuditEntry> audit;
            List<TwinSummaryDto> summaries = new();
            lock (_pipeline)
            {
                changed = _changed.Values.Select(a => a.ToSnapshot()).ToList();
                _changed.Clear();
                audit = [.. _pendingAudit];
                _pendingAudit.Clear();
                foreach (var device in _touchedDevices)
                {
                    var summary = SummaryLocked(device);
                    if (summary is null)
                    {
                        continue;
                    }

                    _twins.ApplyAnalysis(device, AnalysisLocked(device));
                    var signature = Signature(summary);
                    if (!_publishedSummary.TryGetValue(device, out var last) || last != signature)
                    {
                        _publishedSummary[device] = signature;
                        summaries.Add(summary);
                    }
                }

                _touchedDevices.Clear();
            }

            try
            {
                if (changed.Count > 0)
                {
                    await _alerts.SaveAlertsAsync(changed.Select(a => new StoredAlert(a.Id, a.DeviceId, a.State.ToWire(), a.OpenedMs, a.UpdatedMs, AlertJson.Serialize(a))).ToArray(), ct).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Nothing is lost: the changes wait for the next flush (the caller counts and retries it).
                Requeue(changed, audit, summaries);
                throw;
            }

            try
            {
                await _audit.AppendAsync(audit, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Requeue([], audit, summaries);
                throw;
            }
            foreach (var a in changed)
            {
                await PublishAsync(Topics.Format(a.Site, a.DeviceId, Channel.Alerts), JsonSerializer.SerializeToUtf8Bytes(AlertJson.ToDto(a), AlertJson.Options), false, ct).ConfigureAwait(false);
                _feed.Publish("alert", new { id = a.Id, deviceId = a.DeviceId, state = a.State.ToWire(), revision = a.Revision });
            }

            foreach (var s in summaries)
            {
                await PublishAsync(Topics.Format(s.Site, s.DeviceId, Channel.Twin), JsonSerializer.SerializeToUtf8Bytes(s, AlertJson.Options), true, ct).ConfigureAwait(false);
                _feed.Publish("twin", new { deviceId = s.DeviceId, health = s.Health });
            }
        }
        finally
        {
            _flushLock.Release();
        }
    }

    /// <summary>Puts back what a failed flush took: alerts not changed since, audit entries ahead of newer ones, and the devices to republish.</summary>
    private void Requeue(IReadOnlyList<AlertSnapshot> changed, IReadOnlyList<AuditEntry> audit, IReadOnlyList<TwinSummaryDto> summaries)
    {
        lock (_pipeline)
        {
            foreach (var a in changed)
            {
                if (!_changed.ContainsKey(a.Id) && _pipeline.Alerts.Find(a.Id) is { } alert)
                {
                    _changed[a.Id] = alert;
                }
            }

            _pendingAudit.InsertRange(0, audit);
            foreach (var s in summaries)
            {
                _publishedSummary.Remove(s.DeviceId);
                _touchedDevices.Add(s.DeviceId);
            }
        }
    }

    /// <summary>What makes a summary worth republishing: health, open alerts and their revisions, forecasts to the hour, data-quality kinds.</summary>
    private static string Signature(TwinSummaryDto s) =>
        string.Join('|', s.Health,
            string.Join(',', s.OpenAlerts.Select(a => a.Id + "@" + a.Revision + a.State)),
            string.Join(',', s.Forecasts.Select(f => f.Component + f.Signal + f.P50[..13])),
            string.Join(',', s.DataQuality.Select(d => d.Signal + d.Kind)));

    private TwinSummaryDto? SummaryLocked(string deviceId)
    {
        var device = _pipeline.Find(deviceId);
        var open = _pipeline.Alerts.ForDevice(deviceId).Where(a => !a.State.IsClosed()).Select(a => a.ToSnapshot()).ToList();
        if (device is null && open.Count == 0)
        {
            return null;
        }

        var site = device?.Context.Site ?? open[0].Site;
        var modality = device?.Context.Modality ?? open[0].Modality;
        return new TwinSummaryDto(deviceId, site, modality.ToWire(), AlertJson.Health(open),
            device is { History.NowMs: > long.MinValue } d ? AlertJson.Time(d.History.NowMs) : null,
            open.Select(AlertJson.ToDto).ToList(),
            SignalForecasts(deviceId).Select(AlertJson.ToDto).ToList(),
            device?.DataQuality().Select(AlertJson.ToDto).ToList() ?? [],
            ModelVersions(modality));
    }

    private TwinAnalysis AnalysisLocked(string deviceId)
    {
        var device = _pipeline.Find(deviceId);
        var open = _pipeline.Alerts.ForDevice(deviceId).Where(a => !a.State.IsClosed()).ToList();
        var worst = open.Select(a => (Severity?)a.Severity).Max();
        var health = worst switch
        {
            null => DeviceHealth.Ok,
            Severity.Info or Severity.Warning => DeviceHealth.Watch,
            Severity.Error => DeviceHealth.AtRisk,
            _ => DeviceHealth.Critical,
        };
        return new TwinAnalysis(
            health,
            device is { History.NowMs: > long.MinValue } d ? d.History.NowMs : null,
            SignalForecasts(deviceId).Select(f => new TwinForecast(f.Component, f.Signal, f.Threshold, f.Direction == ThresholdDirection.Above, f.P10Ms, f.P50Ms, f.P90Ms, f.Model, f.Parameters, f.RSquared, f.Points, f.ComputedAtMs)).ToArray(),
            open.OrderByDescending(a => a.Severity).ThenByDescending(a => a.Confidence)
                .Select(a => new TwinAlert(a.Id, a.Component, a.State.ToWire(), a.Severity, a.Confidence, a.OpenedMs, a.Forecast?.P50Ms)).ToArray(),
            device?.DataQuality().Select(q => new TwinDataQuality(q.Signal, q.Kind.ToString().ToLowerInvariant(), q.SinceMs, q.UpdatedMs, q.Summary)).ToArray() ?? [],
            device is null ? new Dictionary<string, string>() : ModelVersions(device.Context.Modality))
        {
            RemainingLife = RemainingLife(device),
        };
    }

    /// <summary>Forecasts of a signal crossing its threshold; RUL bands are reported apart (<see cref="TwinAnalysis.RemainingLife"/>).</summary>
    private IEnumerable<Forecast> SignalForecasts(string deviceId) => _pipeline.Forecasts(deviceId).Where(f => f.Signal != RulEngine.Source);

    private static TwinRul[] RemainingLife(DeviceAnalytics? device)
    {
        if (device?.Engines.FirstOrDefault(e => e.Kind == EngineKind.Rul).Engine is not RulDeviceEngine rul)
        {
            return [];
        }

        return rul.Bands.OrderBy(b => b.P50Days).Select(b => new TwinRul(b.Component, b.Model, b.AsOfMs, b.P10Days, b.P50Days, b.P90Days, b.Days, b.Near, rul.HorizonDays)).ToArray();
    }

    /// <summary>The versions of the models behind a modality's evidence: the registry's champions in use.</summary>
    private IReadOnlyDictionary<string, string> ModelVersions(Modality modality)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var engine in _pipeline.Engines)
        {
            if (engine is RulEngine rul)
            {
                var names = rul.Models.Where(m => m.Modality == modality).Select(m => _models.Find(m.Kind) is { } r && r.Version == m.Version ? Describe(r) : m.Name).ToArray();
                map[AlertJson.Engine(engine.Kind)] = names.Length > 0 ? string.Join(", ", names) : "no model";
                continue;
            }

            var kind = engine.Kind switch
            {
                EngineKind.Rules => ModelKinds.Rules,
                EngineKind.Physics => ModelKinds.Physics,
                _ => ModelKinds.Anomaly(modality),
            };
            map[AlertJson.Engine(engine.Kind)] = _models.Find(kind) is { } m ? Describe(m) : engine.Kind == EngineKind.Anomaly ? "no model" : "configuration";
        }

        return map;
    }

    private static string Describe(ModelRecord m) =>
        $"{m.Kind} v{m.Version}" + (m.TrainedFromMs is { } from && m.TrainedToMs is { } to
            ? $" (trained {WireCodec.FormatRfc3339(from)[..10]} to {WireCodec.FormatRfc3339(to)[..10]})"
            : "");

    private async Task PublishAsync(string topic, byte[] payload, bool retain, CancellationToken ct)
    {
        try
        {
            if (!await _publisher.PublishAsync(topic, payload, retain, ct).ConfigureAwait(false))
            {
                LogNotPublished(topic);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogPublishFailed(ex, topic);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stored alert {Id} could not be read; skipped")]
    private partial void LogBadStoredAlert(Exception ex, string id);

    [LoggerMessage(Level = LogLevel.Information, Message = "Alert {Id} {From} → {To}: {Component} {Severity} confidence {Confidence:0.00} by {Actor}")]
    private partial void LogStateChanged(string id, string from, string to, string component, string severity, double confidence, string actor);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Alert {Id} updated: confidence {Confidence:0.00}, revision {Revision}")]
    private partial void LogUpdated(string id, double confidence, int revision);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Broker not reachable; {Topic} not published now")]
    private partial void LogNotPublished(string topic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing {Topic} failed")]
    private partial void LogPublishFailed(Exception ex, string topic);
}
