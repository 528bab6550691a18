using EquipmentTwin.Analytics.Pipeline;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Service.Alerts;
using EquipmentTwin.Service.Ingest;
using EquipmentTwin.Service.Twins;
using EquipmentTwin.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EquipmentTwin.Service.Analytics;

/// <summary>
/// Runs the analytics pipeline on what ingest committed, in event time, on its own thread so analytics
/// never delays an acknowledgement; what became of the alerts and twins is the <see cref="AlertService"/>'s
/// to store, audit and publish. At start-up, stored alerts are restored and the last days of each device's
/// log are replayed to rebuild the engines' state.
/// </summary>
public sealed partial class AnalyticsService : BackgroundService, IIngestObserver
{
    private readonly AnalyticsPipeline _pipeline;
    private readonly TwinRegistry _twins;
    private readonly ITelemetryStore _store;
    private readonly AlertService _alerts;
    private readonly AnalyticsOptions _options;
    private readonly ILogger<AnalyticsService> _logger;
    private readonly System.Threading.Channels.Channel<IReadOnlyList<IngestItem>> _queue;
    private long _skippedNoNameplate;

    public AnalyticsService(IngestPipeline ingest, AnalyticsPipeline pipeline, TwinRegistry twins, ITelemetryStore store, AlertService alerts, IOptions<AnalyticsOptions> options, ILogger<AnalyticsService> logger)
    {
        _pipeline = pipeline;
        _twins = twins;
        _store = store;
        _alerts = alerts;
        _options = options.Value;
        _logger = logger;
        _queue = System.Threading.Channels.Channel.CreateBounded<IReadOnlyList<IngestItem>>(new System.Threading.Channels.BoundedChannelOptions(_options.QueueCapacity) { SingleReader = true, FullMode = System.Threading.Channels.BoundedChannelFullMode.Wait });
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
                // The pipeline is not thread-safe; the alert service locks the same object for queries and actions.
                lock (_pipeline)
                {
                    foreach (var item in items)
                    {
                        Apply(item);
                    }
                }

                await _alerts.FlushAsync(stoppingToken).ConfigureAwait(false);
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
                _alerts.Touch(b.DeviceId);
                break;
            case MaintenanceItem mi when ModalityOf(mi.DeviceId) is { } m:
                _pipeline.ProcessMaintenance(mi.DeviceId, mi.Site, m, mi.Record);
                _alerts.Touch(mi.DeviceId);
                break;
            case BatchItem or MaintenanceItem:
                Interlocked.Increment(ref _skippedNoNameplate);
                break;
        }
    }

    private Modality? ModalityOf(string deviceId) => _twins.ModalityOf(deviceId);

    private async Task RestoreAsync(CancellationToken ct)
    {
        await _alerts.RestoreAsync(ct).ConfigureAwait(false);
        if (_options.ReplayDays <= 0)
        {
            return;
        }

        _alerts.Replaying = true;

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
            lock (_pipeline)
            {
                Replay(device, records, maintenance);
                _alerts.Touch(device.DeviceId);
            }

            LogReplayed(device.DeviceId, records.Count);
        }

        await _alerts.FlushAsync(ct).ConfigureAwait(false);
        _alerts.Replaying = false;
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

    [LoggerMessage(Level = LogLevel.Error, Message = "Analytics failed on a committed batch; ingest goes on, a restart replays the data")]
    private partial void LogAnalyticsFailed(Exception ex);

    [LoggerMessage(Level = LogLevel.Information, Message = "Replayed {Count} records of {Device} into analytics")]
    private partial void LogReplayed(string device, int count);

}
