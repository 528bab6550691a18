using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Storage.Influx;
using EquipmentTwin.Storage.Sqlite;
using EquipmentTwin.Testing;

namespace EquipmentTwin.Storage.Tests;

/// <summary>The InfluxDB store against a real influxd 1.x: what goes in comes out, once, and behaves as the SQLite store does.</summary>
public sealed class InfluxTelemetryStoreTests(InfluxFixture influx) : IClassFixture<InfluxFixture>, IDisposable
{
    private static readonly DateTimeOffset Received = new(2026, 11, 24, 3, 0, 0, TimeSpan.Zero);
    private static readonly long T0 = new DateTimeOffset(2026, 11, 24, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
    private static int _databases;
    private readonly TempDirectory _dir = new("influx-meta");
    private readonly CancellationToken _ct = CancellationToken.None;
    private readonly string _database = "t" + Interlocked.Increment(ref _databases);

    private InfluxTelemetryStore Open(string? database = null) =>
        new(new InfluxClient(new InfluxConnection(new Uri(influx.Server.Url + "/"), database ?? _database)), SqliteTelemetryStore.Open(_dir.Path, keepTimeSeries: false));

    private static BatchItem Batch(string source, long seq, params LogRecord[] records) => new("site 1", "mri01", new LogBatch(source, seq, records), Received);

    private static DateTimeOffset Ms(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    [Fact]
    public async Task Readings_events_and_maintenance_round_trip_with_awkward_text()
    {
        await using var store = Open();
        const string text = "he said \"quench\", a\\b = c\nnext line <script>";
        var outcomes = await store.WriteAsync(
        [
            new NameplateItem("site 1", "mri01", new Nameplate(Modality.Mri, "Acme", "M15", "S1", "2020-01-01", "1.0"), Received),
            Batch("edge-1", 1, LogRecord.Param(T0, "he_level_pct", 71.25), LogRecord.Param(T0 + 1000, "he_level_pct", 71), LogRecord.Event(T0 + 5, "MR, HE=201", Severity.Warning, text)),
            new MaintenanceItem("site 1", "mri01", new MaintenanceRecord(T0 + 7, "cold head", MaintenanceAction.Replace, text, "A. Engineer"), Received),
        ], _ct);

        Assert.Equal([WriteOutcome.Stored, WriteOutcome.Stored, WriteOutcome.Stored], outcomes);
        var points = await store.QuerySignalAsync("mri01", "he_level_pct", Ms(T0), Ms(T0 + 10_000), 100, _ct);
        Assert.Equal([new SignalPoint(T0, 71.25), new SignalPoint(T0 + 1000, 71)], points);

        var events = await store.QueryEventsAsync("mri01", Ms(T0), Ms(T0 + 10_000), 100, _ct);
        var e = Assert.Single(events);
        Assert.Equal(new StoredEvent(T0 + 5, "MR, HE=201", Severity.Warning, text), e);

        var maintenance = Assert.Single(await store.QueryMaintenanceAsync("mri01", Ms(0), Ms(T0 + 10_000), 100, _ct));
        Assert.Equal(new MaintenanceRecord(T0 + 7, "cold head", MaintenanceAction.Replace, text, "A. Engineer"), maintenance);

        var records = await store.QueryRecordsAsync("mri01", Ms(T0), Ms(T0 + 10_000), _ct);
        Assert.Equal([T0, T0 + 5, T0 + 1000], records.Select(r => r.TimestampMs));

        var device = Assert.Single(await store.LoadDevicesAsync(_ct));
        Assert.Equal(Modality.Mri, device.Nameplate!.Modality);
        Assert.Equal(71, device.Latest["he_level_pct"].Value);
    }

    [Fact]
    public async Task A_resent_batch_is_a_duplicate_and_stored_once()
    {
        await using var store = Open();
        var batch = Batch("edge-1", 7, LogRecord.Param(T0, "he_level_pct", 70), LogRecord.Event(T0, "MR-HE-201", Severity.Warning, "low"));
        Assert.Equal([WriteOutcome.Stored], await store.WriteAsync([batch], _ct));
        Assert.Equal([WriteOutcome.Duplicate], await store.WriteAsync([batch], _ct));

        Assert.Equal(1, await influx.Server.CountAsync(_database, InfluxLayout.Telemetry, "he_level_pct"));
        Assert.Equal(1, await influx.Server.CountAsync(_database, InfluxLayout.Events, "severity"));
        var counters = await store.GetCountersAsync(_ct);
        Assert.Equal((1, 2, 1), (counters.BatchesAccepted, counters.RecordsAccepted, counters.DuplicatesDropped));
    }

    [Fact]
    public async Task A_batch_in_InfluxDB_but_not_yet_recorded_when_the_service_died_is_written_again_without_copies()
    {
        await using var store = Open();
        var batch = Batch("edge-1", 3, LogRecord.Param(T0, "he_level_pct", 70), LogRecord.Event(T0, "MR-HE-201", Severity.Warning, "a"), LogRecord.Event(T0, "MR-HE-201", Severity.Warning, "b"));

        // The crash window: the lines reached InfluxDB, the (source, seq) never reached SQLite.
        var w = new LineProtocolWriter();
        InfluxLayout.AppendBatch(w, batch.Site, batch.DeviceId, null, batch.Batch, (_, _, _) => null);
        await store.Client.QueryAsync($"CREATE DATABASE {_database}", _ct, post: true);
        await store.Client.WriteAsync(w.ToString(), _ct);

        Assert.Equal([WriteOutcome.Stored], await store.WriteAsync([batch], _ct));
        Assert.Equal(1, await influx.Server.CountAsync(_database, InfluxLayout.Telemetry, "he_level_pct"));
        Assert.Equal(2, await influx.Server.CountAsync(_database, InfluxLayout.Events, "severity"));
    }

    [Fact]
    public async Task Same_millisecond_readings_last_wins_and_is_counted_the_same_in_both_stores()
    {
        using var sqliteDir = new TempDirectory("same-ms");
        await using var sqlite = SqliteTelemetryStore.Open(sqliteDir.Path);
        await using var store = Open();
        IngestItem[] items =
        [
            Batch("edge-1", 1, LogRecord.Param(T0, "he_level_pct", 70), LogRecord.Param(T0, "he_level_pct", 69), LogRecord.Event(T0, "E1", Severity.Info, "x"), LogRecord.Event(T0, "E1", Severity.Info, "y")),
            Batch("edge-1", 2, LogRecord.Param(T0, "he_level_pct", 68)),
        ];
        foreach (var s in new ITelemetryStore[] { sqlite, store })
        {
            await s.WriteAsync(items, _ct);
            var points = await s.QuerySignalAsync("mri01", "he_level_pct", Ms(T0), Ms(T0 + 1), 10, _ct);
            Assert.Equal([new SignalPoint(T0, 68)], points);
            Assert.Equal(2, (await s.QueryEventsAsync("mri01", Ms(T0), Ms(T0 + 1), 10, _ct)).Count);
            var c = await s.GetCountersAsync(_ct);
            Assert.Equal((5L, 1L), (c.RecordsAccepted, c.ReadingsReplaced));
        }
    }

    [Fact]
    public async Task Buckets_match_the_sqlite_store()
    {
        using var sqliteDir = new TempDirectory("buckets");
        await using var sqlite = SqliteTelemetryStore.Open(sqliteDir.Path);
        await using var store = Open();
        var records = Enumerable.Range(0, 600).Select(i => LogRecord.Param(T0 + 13 + i * 1000L, "he_level_pct", 50 + i % 17 * 0.5)).ToArray();
        await sqlite.WriteAsync([Batch("edge-1", 1, records)], _ct);
        await store.WriteAsync([Batch("edge-1", 1, records)], _ct);

        var expected = await BucketsOf(sqlite);
        var actual = await store.QuerySignalBucketsAsync("mri01", "he_level_pct", Ms(T0 + 7), Ms(T0 + 700_000), 37, _ct);
        Assert.Equal(expected.BucketMs, actual.BucketMs);
        Assert.Equal(expected.Buckets.Count, actual.Buckets.Count);
        foreach (var (e, a) in expected.Buckets.Zip(actual.Buckets))
        {
            Assert.Equal((e.StartMs, e.Min, e.Max, e.Count), (a.StartMs, a.Min, a.Max, a.Count));
            Assert.Equal(e.Mean, a.Mean, 9);
        }

        Assert.Equal(600, actual.Buckets.Sum(b => b.Count));
    }

    private async Task<SignalBuckets> BucketsOf(SqliteTelemetryStore sqlite)
    {
        // Until the SQLite store answers buckets itself, compute the contract from its raw points.
        var points = await sqlite.QuerySignalAsync("mri01", "he_level_pct", Ms(T0 + 7), Ms(T0 + 700_000), 100_000, _ct);
        var f = T0 + 7;
        var width = (700_000 - 7 + 37 - 1) / 37;
        var buckets = points.GroupBy(p => (p.TimestampMs - f) / width).OrderBy(g => g.Key)
            .Select(g => new SignalBucket(f + g.Key * width, g.Min(p => p.Value), g.Max(p => p.Value), g.Average(p => p.Value), g.Count())).ToList();
        return new SignalBuckets(width, buckets);
    }

    [Fact]
    public async Task A_write_while_InfluxDB_is_unreachable_throws_and_records_nothing()
    {
        var port = TestPorts.Free();
        await using var store = new InfluxTelemetryStore(
            new InfluxClient(new InfluxConnection(new Uri($"http://127.0.0.1:{port}/"), _database) { Timeout = TimeSpan.FromSeconds(2) }),
            SqliteTelemetryStore.Open(_dir.Path, keepTimeSeries: false));
        await Assert.ThrowsAsync<InfluxException>(() => store.WriteAsync([Batch("edge-1", 1, LogRecord.Param(T0, "he_level_pct", 70))], _ct));
        Assert.Empty(await store.GetPositionsAsync(_ct));
        Assert.False(await store.PingAsync(_ct));
    }

    public void Dispose() => _dir.Dispose();
}
