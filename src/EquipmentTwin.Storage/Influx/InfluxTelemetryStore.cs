using System.Collections.Concurrent;
using System.Text.Json;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Storage.Sqlite;

namespace EquipmentTwin.Storage.Influx;

/// <summary>
/// Readings, events and maintenance in InfluxDB; everything that is not a time series (devices and
/// nameplates, latest values, dedup positions, quarantine, counters, alerts) in a metadata-only SQLite store.
/// A write goes to InfluxDB first and commits the metadata (with the batch's (source, seq)) only after
/// InfluxDB answered 204, so what is acknowledged is in both. A crash between the two leaves the batch
/// unrecorded: its resend is written to InfluxDB again, where identical points overwrite themselves
/// (InfluxLayout), so nothing is counted or stored twice.
/// </summary>
public sealed class InfluxTelemetryStore : ITelemetryStore
{
    private readonly InfluxClient _influx;
    private readonly SqliteTelemetryStore _meta;
    private readonly InfluxLayout.ComponentLookup _components;
    private readonly ConcurrentDictionary<string, Modality> _modalities = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _databaseReady = new(1, 1);
    private bool _databaseCreated;
    private int _disposed;

    public InfluxTelemetryStore(InfluxClient influx, SqliteTelemetryStore metadata, InfluxLayout.ComponentLookup? components = null)
    {
        if (metadata.KeepsTimeSeries)
        {
            throw new ArgumentException("the metadata store must be opened with keepTimeSeries: false", nameof(metadata));
        }

        _influx = influx;
        _meta = metadata;
        _components = components ?? ((_, _, _) => null);
    }

    public InfluxClient Client => _influx;

    /// <summary>The SQLite store that keeps what is not a time series.</summary>
    public SqliteTelemetryStore Metadata => _meta;

    public async Task<IReadOnlyList<WriteOutcome>> WriteAsync(IReadOnlyList<IngestItem> items, CancellationToken cancellationToken)
    {
        await EnsureModalitiesAsync(cancellationToken).ConfigureAwait(false);
        var keys = items.OfType<BatchItem>().Select(b => (b.Batch.Source, b.Batch.Seq)).ToList();
        var stored = await _meta.FindStoredBatchesAsync(keys, cancellationToken).ConfigureAwait(false);

        var writer = new LineProtocolWriter();
        var parts = new List<string>();
        foreach (var item in items)
        {
            switch (item)
            {
                case NameplateItem n:
                    _modalities[n.DeviceId] = n.Nameplate.Modality;
                    break;
                case BatchItem b when !stored.Contains((b.Batch.Source, b.Batch.Seq)):
                    InfluxLayout.AppendBatch(writer, b.Site, b.DeviceId, ModalityOf(b.DeviceId), b.Batch, _components);
                    break;
                case MaintenanceItem m:
                    InfluxLayout.AppendMaintenance(writer, m.Site, m.DeviceId, ModalityOf(m.DeviceId), m.Record);
                    break;
            }

            if (writer.Lines >= _influx.Connection.MaxLinesPerRequest)
            {
                parts.Add(writer.ToString());
                writer.Clear();
            }
        }

        if (writer.Lines > 0)
        {
            parts.Add(writer.ToString());
        }

        if (parts.Count > 0)
        {
            await EnsureDatabaseAsync(cancellationToken).ConfigureAwait(false);
            foreach (var part in parts)
            {
                await _influx.WriteAsync(part, cancellationToken).ConfigureAwait(false);
            }
        }

        return await _meta.WriteAsync(items, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<SignalPoint>> QuerySignalAsync(string deviceId, string signal, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken)
    {
        var field = InfluxLayout.Identifier(InfluxLayout.FieldOf(signal));
        var series = await _influx.QueryAsync(
            $"SELECT {field} FROM {InfluxLayout.Telemetry} WHERE {DeviceIs(deviceId)} AND {Range(from, to)} ORDER BY time ASC LIMIT {limit}", cancellationToken).ConfigureAwait(false);
        var list = new List<SignalPoint>();
        foreach (var s in series)
        {
            foreach (var row in s.Values)
            {
                if (row[1].ValueKind == JsonValueKind.Number)
                {
                    list.Add(new SignalPoint(row[0].GetInt64(), row[1].GetDouble()));
                }
            }
        }

        return list;
    }

    /// <summary>
    /// Buckets of <c>ceil((to − from) / buckets)</c> ms starting at <paramref name="from"/> (GROUP BY time with an
    /// offset so the first bucket starts at from), empty buckets omitted: the same buckets the SQLite store makes.
    /// </summary>
    public async Task<SignalBuckets> QuerySignalBucketsAsync(string deviceId, string signal, DateTimeOffset from, DateTimeOffset to, int buckets, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(buckets, 1);
        var f = from.ToUnixTimeMilliseconds();
        var span = Math.Max(1, to.ToUnixTimeMilliseconds() - f);
        var width = Math.Max(1, (span + buckets - 1) / buckets);
        var offset = ((f % width) + width) % width;
        var field = InfluxLayout.Identifier(InfluxLayout.FieldOf(signal));
        var series = await _influx.QueryAsync(
            $"SELECT min({field}), max({field}), mean({field}), count({field}) FROM {InfluxLayout.Telemetry} WHERE {DeviceIs(deviceId)} AND {Range(from, to)} GROUP BY time({width}ms, {offset}ms) fill(none)",
            cancellationToken).ConfigureAwait(false);
        var list = new List<SignalBucket>();
        foreach (var s in series)
        {
            foreach (var row in s.Values)
            {
                if (row[4].ValueKind == JsonValueKind.Number && row[4].GetInt64() > 0)
                {
                    list.Add(new SignalBucket(row[0].GetInt64(), row[1].GetDouble(), row[2].GetDouble(), row[3].GetDouble(), row[4].GetInt64()));
                }
            }
        }

        return new SignalBuckets(width, list);
    }

    public async Task<IReadOnlyList<StoredEvent>> QueryEventsAsync(string deviceId, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken)
    {
        var series = await _influx.QueryAsync(
            $"SELECT {InfluxLayout.CodeTag}, severity, text FROM {InfluxLayout.Events} WHERE {DeviceIs(deviceId)} AND {Range(from, to)} ORDER BY time ASC LIMIT {limit}", cancellationToken).ConfigureAwait(false);
        var list = new List<StoredEvent>();
        foreach (var s in series)
        {
            foreach (var row in s.Values)
            {
                list.Add(new StoredEvent(row[0].GetInt64(), row[1].GetString() ?? "", (Severity)row[2].GetInt64(), row[3].ValueKind == JsonValueKind.String ? row[3].GetString() : null));
            }
        }

        return list;
    }

    public async Task<IReadOnlyList<MaintenanceRecord>> QueryMaintenanceAsync(string deviceId, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken)
    {
        var series = await _influx.QueryAsync(
            $"SELECT {InfluxLayout.ComponentTag}, {InfluxLayout.ActionTag}, text, engineer, recorded FROM {InfluxLayout.Maintenance} WHERE {DeviceIs(deviceId)} AND {Range(from, to)} ORDER BY time ASC LIMIT {limit}",
            cancellationToken).ConfigureAwait(false);
        var list = new List<MaintenanceRecord>();
        foreach (var s in series)
        {
            foreach (var row in s.Values)
            {
                MaintenanceActionNames.TryParse(row[2].GetString() ?? "", out var action);
                list.Add(new MaintenanceRecord(row[0].GetInt64(), row[1].GetString() ?? "", action, Str(row[3]), Str(row[4])));
            }
        }

        return list;
    }

    public async Task<IReadOnlyList<LogRecord>> QueryRecordsAsync(string deviceId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var list = new List<LogRecord>();
        var readings = await _influx.QueryAsync($"SELECT * FROM {InfluxLayout.Telemetry} WHERE {DeviceIs(deviceId)} AND {Range(from, to)}", cancellationToken).ConfigureAwait(false);
        foreach (var s in readings)
        {
            var fields = new List<(int Index, string Signal)>();
            for (var i = 1; i < s.Columns.Count; i++)
            {
                var c = s.Columns[i];
                if (!InfluxLayout.TagKeys.Contains(c))
                {
                    fields.Add((i, c.StartsWith("signal_", StringComparison.Ordinal) && InfluxLayout.TagKeys.Contains(c[7..]) ? c[7..] : c));
                }
            }

            foreach (var row in s.Values)
            {
                var ts = row[0].GetInt64();
                foreach (var (i, signal) in fields)
                {
                    if (row[i].ValueKind == JsonValueKind.Number)
                    {
                        list.Add(LogRecord.Param(ts, signal, row[i].GetDouble()));
                    }
                }
            }
        }

        var events = await _influx.QueryAsync($"SELECT {InfluxLayout.CodeTag}, severity, text FROM {InfluxLayout.Events} WHERE {DeviceIs(deviceId)} AND {Range(from, to)}", cancellationToken).ConfigureAwait(false);
        foreach (var s in events)
        {
            foreach (var row in s.Values)
            {
                list.Add(LogRecord.Event(row[0].GetInt64(), row[1].GetString() ?? "", (Severity)row[2].GetInt64(), Str(row[3])));
            }
        }

        list.Sort((a, b) => a.TimestampMs.CompareTo(b.TimestampMs));
        return list;
    }

    public Task<IReadOnlyList<DeviceSnapshot>> LoadDevicesAsync(CancellationToken cancellationToken) => _meta.LoadDevicesAsync(cancellationToken);

    public Task<IReadOnlyList<QuarantineEntry>> QueryQuarantineAsync(int limit, long? beforeId, CancellationToken cancellationToken) => _meta.QueryQuarantineAsync(limit, beforeId, cancellationToken);

    public Task<IngestCounters> GetCountersAsync(CancellationToken cancellationToken) => _meta.GetCountersAsync(cancellationToken);

    public Task<IReadOnlyList<IngestPosition>> GetPositionsAsync(CancellationToken cancellationToken) => _meta.GetPositionsAsync(cancellationToken);

    public async Task<bool> PingAsync(CancellationToken cancellationToken) =>
        await _meta.PingAsync(cancellationToken).ConfigureAwait(false) && await _influx.PingAsync(cancellationToken).ConfigureAwait(false);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _influx.Dispose();
            await _meta.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task EnsureDatabaseAsync(CancellationToken cancellationToken)
    {
        if (_databaseCreated || !_influx.Connection.CreateDatabase)
        {
            return;
        }

        await _databaseReady.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_databaseCreated)
            {
                await _influx.QueryAsync("CREATE DATABASE " + InfluxLayout.Identifier(_influx.Connection.Database), cancellationToken, post: true).ConfigureAwait(false);
                _databaseCreated = true;
            }
        }
        finally
        {
            _databaseReady.Release();
        }
    }

    private bool _modalitiesLoaded;

    private async Task EnsureModalitiesAsync(CancellationToken cancellationToken)
    {
        if (_modalitiesLoaded)
        {
            return;
        }

        foreach (var d in await _meta.LoadDevicesAsync(cancellationToken).ConfigureAwait(false))
        {
            if (d.Nameplate is { } n)
            {
                _modalities.TryAdd(d.DeviceId, n.Modality);
            }
        }

        _modalitiesLoaded = true;
    }

    private Modality? ModalityOf(string deviceId) => _modalities.TryGetValue(deviceId, out var m) ? m : null;

    private static string DeviceIs(string deviceId) => $"{InfluxLayout.DeviceTag} = {InfluxLayout.Literal(deviceId)}";

    private static string Range(DateTimeOffset from, DateTimeOffset to) =>
        $"time >= {InfluxLayout.ReadingTime(from.ToUnixTimeMilliseconds())} AND time < {InfluxLayout.ReadingTime(to.ToUnixTimeMilliseconds())}";

    private static string? Str(JsonElement e) => e.ValueKind == JsonValueKind.String ? e.GetString() : null;
}
