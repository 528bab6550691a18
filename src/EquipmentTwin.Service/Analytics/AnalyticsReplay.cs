using EquipmentTwin.Analytics.Pipeline;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Service.Alerts;
using EquipmentTwin.Storage;
using Microsoft.Extensions.Logging;

namespace EquipmentTwin.Service.Analytics;

/// <summary>
/// Start-up of analytics: restores the stored alerts into fusion, then replays the last
/// <see cref="AnalyticsOptions.ReplayDays"/> of each device's stored log (records and maintenance in event-time
/// order) to rebuild the engines' state, without auditing updates that are no news to anyone.
/// </summary>
internal sealed partial class AnalyticsReplay(AnalyticsPipeline pipeline, ITelemetryStore store, AlertService alerts, AnalyticsOptions options, ILogger logger, PhysicsCalibrations? calibrations = null)
{
    private readonly PhysicsCalibrations? _calibrations = calibrations;
    private readonly AnalyticsPipeline _pipeline = pipeline;
    private readonly ITelemetryStore _store = store;
    private readonly AlertService _alerts = alerts;
    private readonly AnalyticsOptions _options = options;
    private readonly ILogger _logger = logger;

    public async Task RunAsync(CancellationToken ct)
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
        if (_calibrations is not null)
        {
            await _calibrations.FlushAsync(ct).ConfigureAwait(false);
        }

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

    [LoggerMessage(Level = LogLevel.Information, Message = "Replayed {Count} records of {Device} into analytics")]
    private partial void LogReplayed(string device, int count);
}
