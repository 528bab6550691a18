using System.Diagnostics.Metrics;
using EquipmentTwin.Analytics.Pipeline;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Service.Alerts;
using EquipmentTwin.Service.Ingest;
using EquipmentTwin.Service.Twins;
using EquipmentTwin.Storage;
using EquipmentTwin.Storage.Labels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EquipmentTwin.Service.Analytics;

/// <summary>
/// The analytics runner: runs the pipeline on what ingest committed, in event time, on its own thread so analytics
/// never delays an acknowledgement, counting and retrying a write whose analysis fails. What became of the alerts
/// and twins is the <see cref="AlertService"/>'s to store, audit and publish; which models run is the registry
/// service's. At start-up <see cref="AnalyticsReplay"/> restores stored alerts and replays the last days of each
/// device's log to rebuild the engines' state.
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
    private readonly TimeProvider _time;
    private readonly Counter<long> _failures;
    private readonly Counter<long> _recovered;
    private readonly Counter<long> _dropped;
    private long _skippedNoNameplate;
    private long _batchFailures;
    private long _batchesRecovered;
    private long _batchesDropped;

    /// <summary>Attempts at one committed write before analytics gives it up.</summary>
    public const int MaxAttempts = 6;

    private readonly ILabelStore _labels;
    private readonly List<Label> _pendingLabels = new();
    private readonly AnalyticsReplay _replay;
    private readonly PhysicsCalibrations? _calibrations;
    private readonly Counter<long> _restoreFailures;
    private long _restoreFailureCount;

    public AnalyticsService(IngestPipeline ingest, AnalyticsPipeline pipeline, TwinRegistry twins, ITelemetryStore store, AlertService alerts, ILabelStore labels, IOptions<AnalyticsOptions> options, TimeProvider time, ILogger<AnalyticsService> logger, IMeterFactory? meters = null, PhysicsCalibrations? calibrations = null)
    {
        _calibrations = calibrations;
        _labels = labels;
        _time = time;
        var meter = meters?.Create("EquipmentTwin.Analytics") ?? new Meter("EquipmentTwin.Analytics");
        _failures = meter.CreateCounter<long>("equipmenttwin.analytics.batch_failures", description: "Failed attempts at analysing a committed write (each is retried)");
        _recovered = meter.CreateCounter<long>("equipmenttwin.analytics.batches_recovered", description: "Committed writes analysed after at least one failed attempt");
        _dropped = meter.CreateCounter<long>("equipmenttwin.analytics.batches_dropped", description: "Committed writes given up after every attempt failed (a restart replays them)");
        _restoreFailures = meter.CreateCounter<long>("equipmenttwin.analytics.restore_failures", description: "Failed attempts at restoring alerts and replaying the log at start (each retried)");
        _replay = new AnalyticsReplay(pipeline, store, alerts, options.Value, logger, calibrations);
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

    /// <summary>Failed attempts at analysing a committed write.</summary>
    public long BatchFailures => Interlocked.Read(ref _batchFailures);

    /// <summary>Committed writes analysed after a failed attempt.</summary>
    public long BatchesRecovered => Interlocked.Read(ref _batchesRecovered);

    /// <summary>Failed attempts at the start-up restore and replay (each retried).</summary>
    public long RestoreFailures => Interlocked.Read(ref _restoreFailureCount);

    /// <summary>Committed writes given up after <see cref="MaxAttempts"/> failed attempts.</summary>
    public long BatchesDropped => Interlocked.Read(ref _batchesDropped);

    public ValueTask OnCommittedAsync(IReadOnlyList<IngestItem> items, CancellationToken cancellationToken) =>
        _options.Enabled ? _queue.Writer.WriteAsync(items, cancellationToken) : ValueTask.CompletedTask;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            return;
        }

        await RestoreWithRetryAsync(stoppingToken).ConfigureAwait(false);
        Ready = true;
        await foreach (var items in _queue.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
        {
            await RunAsync(items, stoppingToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Applies a committed write and flushes what it changed; a failure (a store that is briefly unavailable,
    /// an engine that throws) is counted and the batch retried from the item that failed, with backoff, up to
    /// <see cref="MaxAttempts"/> times. Only then is it given up, counted as dropped (a restart replays it).
    /// </summary>
    private async Task RunAsync(IReadOnlyList<IngestItem> items, CancellationToken ct)
    {
        var next = 0;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // The pipeline is not thread-safe; the alert service locks the same object for queries and actions.
                lock (_pipeline)
                {
                    for (; next < items.Count; next++)
                    {
                        Apply(items[next]);
                    }
                }

                await _alerts.FlushAsync(ct).ConfigureAwait(false);
                if (_calibrations is not null)
                {
                    await _calibrations.FlushAsync(ct).ConfigureAwait(false);
                }

                if (_pendingLabels.Count > 0)
                {
                    await _labels.AddAsync(_pendingLabels, ct).ConfigureAwait(false);
                    _pendingLabels.Clear();
                }

                if (attempt > 1)
                {
                    _recovered.Add(1);
                    Interlocked.Increment(ref _batchesRecovered);
                }

                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _failures.Add(1);
                Interlocked.Increment(ref _batchFailures);
                if (attempt >= MaxAttempts)
                {
                    // Analytics must never stop ingest; the data is stored and a restart replays it.
                    _dropped.Add(1);
                    Interlocked.Increment(ref _batchesDropped);
                    LogAnalyticsDropped(ex, attempt);
                    return;
                }

                // An item that threw is retried as a whole: records it had applied are older than their open bucket now and counted late, not twice.
                LogAnalyticsRetry(ex, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5_000, 100 << attempt)), _time, ct).ConfigureAwait(false);
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
                _pendingLabels.Add(Label.FromMaintenance(mi.DeviceId, mi.Record, mi.ReceivedAt, "maintenance record"));
                break;
            case BatchItem or MaintenanceItem:
                Interlocked.Increment(ref _skippedNoNameplate);
                break;
        }
    }

    private Modality? ModalityOf(string deviceId) => _twins.ModalityOf(deviceId);

    /// <summary>
    /// Restores alerts and replays the log (<see cref="AnalyticsReplay"/>); a store that fails meanwhile is counted and
    /// the whole start-up retried with backoff (alerts restore by id; records already replayed are older than their open
    /// bucket and counted late, not applied twice), never left half-done or only logged.
    /// Committed writes wait in the queue (ingest waits when it is full) until it succeeds.
    /// </summary>
    private async Task RestoreWithRetryAsync(CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await _replay.RunAsync(ct).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _restoreFailures.Add(1);
                Interlocked.Increment(ref _restoreFailureCount);
                _alerts.Replaying = false;
                LogRestoreRetry(ex, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(30_000, 500 << Math.Min(attempt, 6))), _time, ct).ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Analytics failed on a committed batch (attempt {Attempt}); retrying")]
    private partial void LogAnalyticsRetry(Exception ex, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Analytics gave up on a committed batch after {Attempts} attempts; ingest goes on, a restart replays the data")]
    private partial void LogAnalyticsDropped(Exception ex, int attempts);

    [LoggerMessage(Level = LogLevel.Error, Message = "Restoring alerts and replaying the log failed (attempt {Attempt}); retrying")]
    private partial void LogRestoreRetry(Exception ex, int attempt);

}
