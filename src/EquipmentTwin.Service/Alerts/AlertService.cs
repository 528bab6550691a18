using System.Diagnostics.Metrics;
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
/// summary republished retained on <c>twin</c> when it changed (through the <see cref="AlertPublisher"/> outbox, which
/// counts and retries what the broker does not take). What a twin's analysis holds is <see cref="TwinAnalysisView"/>'s. Engineers act on alerts through
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
    private readonly AlertPublisher _outbox;
    private readonly TwinAnalysisView _view;
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

    private readonly Counter<long> _unreadable;
    private long _unreadableCount;
    private readonly ILabelStore _labels;

    public AlertService(AnalyticsPipeline pipeline, TwinRegistry twins, IAlertStore alerts, IAuditStore audit, AlertPublisher outbox, LiveFeed feed, TimeProvider time, ModelsInUse models, ILabelStore labels, ILogger<AlertService> logger, IMeterFactory? meters = null, PhysicsCalibrations? calibrations = null)
    {
        _labels = labels;
        _pipeline = pipeline;
        _twins = twins;
        _alerts = alerts;
        _audit = audit;
        _outbox = outbox;
        _view = new TwinAnalysisView(pipeline, models, calibrations);
        var meter = meters?.Create("EquipmentTwin.Alerts") ?? new Meter("EquipmentTwin.Alerts");
        _unreadable = meter.CreateCounter<long>("equipmenttwin.alerts.unreadable_stored", description: "Stored alerts that could not be read at start (kept in the store as they are, not restored)");
        _feed = feed;
        _time = time;
        _logger = logger;
        _pipeline.Alerts.Changed += OnChanged;
    }

    /// <summary>Stored alerts that could not be read at start.</summary>
    public long UnreadableStored => Interlocked.Read(ref _unreadableCount);

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
                    // Cannot be retried: the stored text will not change. Counted and left in the store for a person.
                    _unreadable.Add(1);
                    Interlocked.Increment(ref _unreadableCount);
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
            return _view.Summary(deviceId);
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
                    var summary = _view.Summary(device);
                    if (summary is null)
                    {
                        continue;
                    }

                    _twins.ApplyAnalysis(device, _view.Analysis(device));
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
                _outbox.Enqueue(Topics.Format(a.Site, a.DeviceId, Channel.Alerts), JsonSerializer.SerializeToUtf8Bytes(AlertJson.ToDto(a), AlertJson.Options), false);
                _feed.Publish("alert", new { id = a.Id, deviceId = a.DeviceId, state = a.State.ToWire(), revision = a.Revision });
            }

            foreach (var s in summaries)
            {
                _outbox.Enqueue(Topics.Format(s.Site, s.DeviceId, Channel.Twin), JsonSerializer.SerializeToUtf8Bytes(s, AlertJson.Options), true);
                _feed.Publish("twin", new { deviceId = s.DeviceId, health = s.Health });
            }

            // Stored and audited already; a message the broker does not take waits in the outbox and is retried.
            await _outbox.DrainAsync(ct).ConfigureAwait(false);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stored alert {Id} could not be read; skipped")]
    private partial void LogBadStoredAlert(Exception ex, string id);

    [LoggerMessage(Level = LogLevel.Information, Message = "Alert {Id} {From} → {To}: {Component} {Severity} confidence {Confidence:0.00} by {Actor}")]
    private partial void LogStateChanged(string id, string from, string to, string component, string severity, double confidence, string actor);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Alert {Id} updated: confidence {Confidence:0.00}, revision {Revision}")]
    private partial void LogUpdated(string id, double confidence, int revision);

}
