using System.Text;
using System.Text.Json;
using EquipmentTwin.Analytics.Fusion;
using EquipmentTwin.Analytics.Pipeline;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Service.Broker;
using EquipmentTwin.Service.Ingest;
using EquipmentTwin.Service.Twins;
using EquipmentTwin.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EquipmentTwin.Service.Analytics;

/// <summary>
/// Runs the analytics pipeline on what ingest committed, in event time, on its own thread so analytics
/// never delays an acknowledgement. Alerts are stored, published on the alerts topic, and the twin
/// summary is republished (retained) for every device whose alerts changed. At start-up, stored alerts
/// are restored and the last days of each device's log are replayed to rebuild the engines' state.
/// </summary>
public sealed partial class AnalyticsService : BackgroundService, IIngestObserver
{
    private readonly AnalyticsPipeline _pipeline;
    private readonly TwinRegistry _twins;
    private readonly ITelemetryStore _store;
    private readonly IAlertStore _alerts;
    private readonly IMqttPublisher _publisher;
    private readonly AnalyticsOptions _options;
    private readonly ILogger<AnalyticsService> _logger;
    private readonly System.Threading.Channels.Channel<IReadOnlyList<IngestItem>> _queue;
    private readonly object _gate = new();
    private readonly Dictionary<string, MaintenanceAlert> _changed = new(StringComparer.Ordinal);
    private long _skippedNoNameplate;

    public AnalyticsService(IngestPipeline ingest, AnalyticsPipeline pipeline, TwinRegistry twins, ITelemetryStore store, IAlertStore alerts, IMqttPublisher publisher, IOptions<AnalyticsOptions> options, ILogger<AnalyticsService> logger)
    {
        _pipeline = pipeline;
        _twins = twins;
        _store = store;
        _alerts = alerts;
        _publisher = publisher;
        _options = options.Value;
        _logger = logger;
        _queue = System.Threading.Channels.Channel.CreateBounded<IReadOnlyList<IngestItem>>(new System.Threading.Channels.BoundedChannelOptions(_options.QueueCapacity) { SingleReader = true, FullMode = System.Threading.Channels.BoundedChannelFullMode.Wait });
        _pipeline.Alerts.Changed += (alert, _) => _changed[alert.Id] = alert;
        ingest.AddObserver(this);
    }

    public bool Ready { get; private set; }
    public int QueueDepth => _queue.Reader.Count;
    public long SkippedNoNameplate => Interlocked.Read(ref _skippedNoNameplate);

    public ValueTask OnCommittedAsync(IReadOnlyList<IngestItem> items, CancellationToken cancellationToken) =>
        _options.Enabled ? _queue.Writer.WriteAsync(items, cancellationToken) : ValueTask.CompletedTask;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            return;
        }

        await RestoreAsync(stoppingToken).ConfigureAwait(false);
        Ready = true;
        await foreach (var items in _queue.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                lock (_gate)
                {
                    foreach (var item in items)
                    {
                        Apply(item);
                    }
                }

                await FlushAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Analytics must never stop ingest; the data is stored and a restart replays it.
                LogAnalyticsFailed(ex);
            }
        }
    }

    private void Apply(IngestItem item)
    {
        switch (item)
        {
            case BatchItem b when ModalityOf(b.DeviceId) is { } m:
                _pipeline.Process(b.DeviceId, b.Site, m, b.Batch.Records);
                break;
            case MaintenanceItem mi when ModalityOf(mi.DeviceId) is { } m:
                _pipeline.ProcessMaintenance(mi.DeviceId, mi.Site, m, mi.Record);
                break;
            case BatchItem or MaintenanceItem:
                Interlocked.Increment(ref _skippedNoNameplate);
                break;
        }
    }

    private Modality? ModalityOf(string deviceId) => _twins.ModalityOf(deviceId);

    private async Task RestoreAsync(CancellationToken ct)
    {
        var stored = await _alerts.LoadAlertsAsync(ct).ConfigureAwait(false);
        lock (_gate)
        {
            foreach (var a in stored)
            {
                try
                {
                    _pipeline.Alerts.Restore(MaintenanceAlert.FromSnapshot(AlertJson.Deserialize(a.Json)));
                }
                catch (JsonException ex)
                {
                    LogBadStoredAlert(ex, a.Id);
                }
            }
        }

        if (_options.ReplayDays <= 0)
        {
            return;
        }

        foreach (var device in await _store.LoadDevicesAsync(ct).ConfigureAwait(false))
        {
            if (device.Nameplate is null || device.Latest.Count == 0)
            {
                continue;
            }

            var last = DateTimeOffset.FromUnixTimeMilliseconds(device.Latest.Values.Max(v => v.TimestampMs) + 1);
            var from = last - TimeSpan.FromDays(_options.ReplayDays);
            var records = await _store.QueryRecordsAsync(device.DeviceId, from, last, ct).ConfigureAwait(false);
            var maintenance = await _store.QueryMaintenanceAsync(device.DeviceId, from, last, 10_000, ct).ConfigureAwait(false);
            lock (_gate)
            {
                Replay(device, records, maintenance);
            }

            LogReplayed(device.DeviceId, records.Count);
        }

        await FlushAsync(ct).ConfigureAwait(false);
    }

    private void Replay(DeviceSnapshot device, IReadOnlyList<LogRecord> records, IReadOnlyList<MaintenanceRecord> maintenance)
    {
        var modality = device.Nameplate!.Modality;
        var m = 0;
        var chunk = new List<LogRecord>(4096);
        foreach (var r in records)
        {
            while (m < maintenance.Count && maintenance[m].TimestampMs <= r.TimestampMs)
            {
                Flush(chunk);
                _pipeline.ProcessMaintenance(device.DeviceId, device.Site, modality, maintenance[m++]);
            }

            chunk.Add(r);
            if (chunk.Count == chunk.Capacity)
            {
                Flush(chunk);
            }
        }

        Flush(chunk);
        for (; m < maintenance.Count; m++)
        {
            _pipeline.ProcessMaintenance(device.DeviceId, device.Site, modality, maintenance[m]);
        }

        void Flush(List<LogRecord> c)
        {
            _pipeline.Process(device.DeviceId, device.Site, modality, c);
            c.Clear();
        }
    }

    /// <summary>Stores and publishes the alerts that changed, and the twin summaries of their devices.</summary>
    private async Task FlushAsync(CancellationToken ct)
    {
        List<AlertSnapshot> changed;
        List<TwinSummaryDto> summaries;
        lock (_gate)
        {
            if (_changed.Count == 0)
            {
                return;
            }

            changed = _changed.Values.Select(a => a.ToSnapshot()).ToList();
            _changed.Clear();
            summaries = changed.Select(a => a.DeviceId).Distinct().Select(SummaryLocked).OfType<TwinSummaryDto>().ToList();
        }

        await _alerts.SaveAlertsAsync(changed.Select(a => new StoredAlert(a.Id, a.DeviceId, a.State.ToWire(), a.OpenedMs, a.UpdatedMs, AlertJson.Serialize(a))).ToArray(), ct).ConfigureAwait(false);
        foreach (var a in changed)
        {
            LogAlert(a.Id, a.State.ToWire(), a.Component, a.Severity.ToWire(), a.Confidence);
            await PublishAsync(Topics.Format(a.Site, a.DeviceId, Core.WireFormat.Channel.Alerts), JsonSerializer.SerializeToUtf8Bytes(AlertJson.ToDto(a), AlertJson.Options), false, ct).ConfigureAwait(false);
        }

        foreach (var s in summaries)
        {
            await PublishAsync(Topics.Format(s.Site, s.DeviceId, Core.WireFormat.Channel.Twin), JsonSerializer.SerializeToUtf8Bytes(s, AlertJson.Options), true, ct).ConfigureAwait(false);
        }
    }

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

    // ---- queries and engineer actions (API) ----

    public IReadOnlyList<AlertSnapshot> Alerts(string? deviceId = null, bool openOnly = false)
    {
        lock (_gate)
        {
            return _pipeline.Alerts.All
                .Where(a => (deviceId is null || a.DeviceId == deviceId) && (!openOnly || !a.State.IsClosed()))
                .OrderByDescending(a => a.State.IsClosed() ? 0 : 1).ThenByDescending(a => a.Severity).ThenByDescending(a => a.Confidence).ThenBy(a => a.Id, StringComparer.Ordinal)
                .Select(a => a.ToSnapshot()).ToList();
        }
    }

    public AlertSnapshot? Alert(string id)
    {
        lock (_gate)
        {
            return _pipeline.Alerts.Find(id)?.ToSnapshot();
        }
    }

    public TwinSummaryDto? Summary(string deviceId)
    {
        lock (_gate)
        {
            return SummaryLocked(deviceId);
        }
    }

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
            _pipeline.Forecasts(deviceId).Select(AlertJson.ToDto).ToList(),
            device?.DataQuality().Select(AlertJson.ToDto).ToList() ?? []);
    }

    public enum Action
    {
        Acknowledge,
        Resolve,
        FalseAlarm,
    }

    /// <summary>An engineer's decision; applied at the device's event time. False when the alert is unknown or already past that state.</summary>
    public async Task<AlertSnapshot?> ActAsync(string id, Action action, string? by, string? reason, CancellationToken ct)
    {
        AlertSnapshot? result = null;
        lock (_gate)
        {
            var alert = _pipeline.Alerts.Find(id);
            if (alert is null)
            {
                return null;
            }

            var now = _pipeline.Find(alert.DeviceId)?.History.NowMs is { } n && n > long.MinValue ? n : alert.UpdatedMs;
            var done = action switch
            {
                Action.Acknowledge => _pipeline.Alerts.Acknowledge(id, now, by),
                Action.Resolve => _pipeline.Alerts.Resolve(id, now, reason, by),
                _ => _pipeline.Alerts.MarkFalseAlarm(id, now, reason, by),
            };
            if (done)
            {
                result = alert.ToSnapshot();
            }
        }

        if (result is not null)
        {
            await FlushAsync(ct).ConfigureAwait(false);
        }

        return result;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Analytics failed on a committed batch; ingest goes on, a restart replays the data")]
    private partial void LogAnalyticsFailed(Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stored alert {Id} could not be read; skipped")]
    private partial void LogBadStoredAlert(Exception ex, string id);

    [LoggerMessage(Level = LogLevel.Information, Message = "Replayed {Count} records of {Device} into analytics")]
    private partial void LogReplayed(string device, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Alert {Id} {State}: {Component} {Severity} confidence {Confidence:0.00}")]
    private partial void LogAlert(string id, string state, string component, string severity, double confidence);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Broker not reachable; {Topic} not published now")]
    private partial void LogNotPublished(string topic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing {Topic} failed")]
    private partial void LogPublishFailed(Exception ex, string topic);
}
