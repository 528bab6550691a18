using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Storage.Sqlite;
using EquipmentTwin.Testing;

namespace EquipmentTwin.Storage.Tests;

public sealed class SqliteTelemetryStoreTests : IDisposable
{
    private static readonly DateTimeOffset Received = new(2026, 11, 24, 3, 0, 0, TimeSpan.Zero);
    private static readonly long T0 = new DateTimeOffset(2026, 11, 24, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
    private readonly TempDirectory _dir = new("store");
    private readonly CancellationToken _ct = CancellationToken.None;

    private static BatchItem Batch(string source, long seq, params LogRecord[] records) =>
        new("site1", "mri01", new LogBatch(source, seq, records), Received);

    private static LogRecord[] HeliumHour(long start, double level) =>
        Enumerable.Range(0, 60).Select(i => LogRecord.Param(start + i * 60_000L, "he_level_pct", level - i * 0.001)).ToArray();

    [Fact]
    public async Task Batch_is_written_and_queried_by_event_time_range()
    {
        await using var store = SqliteTelemetryStore.Open(_dir.Path);
        var outcomes = await store.WriteAsync(
        [
            new NameplateItem("site1", "mri01", new Nameplate(Modality.Mri, "Acme", "M15", "S1", "2020-01-01", "1.0"), Received),
            Batch("edge-1", 1, [.. HeliumHour(T0, 80), LogRecord.Event(T0 + 5, "MR-HE-201", Severity.Warning, "low")]),
        ], _ct);

        Assert.Equal([WriteOutcome.Stored, WriteOutcome.Stored], outcomes);
        var all = await store.QuerySignalAsync("mri01", "he_level_pct", DateTimeOffset.FromUnixTimeMilliseconds(T0), DateTimeOffset.FromUnixTimeMilliseconds(T0 + 3_600_000), 10_000, _ct);
        Assert.Equal(60, all.Count);
        Assert.Equal(80, all[0].Value);
        Assert.True(all.Zip(all.Skip(1)).All(p => p.First.TimestampMs < p.Second.TimestampMs));

        var window = await store.QuerySignalAsync("mri01", "he_level_pct", DateTimeOffset.FromUnixTimeMilliseconds(T0 + 10 * 60_000), DateTimeOffset.FromUnixTimeMilliseconds(T0 + 20 * 60_000), 10_000, _ct);
        Assert.Equal(10, window.Count);
        Assert.Equal(T0 + 10 * 60_000, window[0].TimestampMs);

        var events = await store.QueryEventsAsync("mri01", DateTimeOffset.FromUnixTimeMilliseconds(T0), DateTimeOffset.FromUnixTimeMilliseconds(T0 + 1000), 100, _ct);
        Assert.Equal("MR-HE-201", Assert.Single(events).Code);

        var device = Assert.Single(await store.LoadDevicesAsync(_ct));
        Assert.Equal(Modality.Mri, device.Nameplate!.Modality);
        Assert.Equal(T0 + 59 * 60_000, device.Latest["he_level_pct"].TimestampMs);
    }

    [Fact]
    public async Task Batch_with_same_source_and_seq_is_stored_once()
    {
        await using var store = SqliteTelemetryStore.Open(_dir.Path);
        var first = await store.WriteAsync([Batch("edge-1", 7, HeliumHour(T0, 80))], _ct);
        var again = await store.WriteAsync([Batch("edge-1", 7, HeliumHour(T0, 80)), Batch("edge-2", 7, HeliumHour(T0 + 3_600_000, 79))], _ct);

        Assert.Equal([WriteOutcome.Stored], first);
        Assert.Equal([WriteOutcome.Duplicate, WriteOutcome.Stored], again);
        var counters = await store.GetCountersAsync(_ct);
        Assert.Equal(2, counters.BatchesAccepted);
        Assert.Equal(120, counters.RecordsAccepted);
        Assert.Equal(1, counters.DuplicatesDropped);
        var points = await store.QuerySignalAsync("mri01", "he_level_pct", DateTimeOffset.FromUnixTimeMilliseconds(T0), DateTimeOffset.FromUnixTimeMilliseconds(T0 + 7_200_000), 10_000, _ct);
        Assert.Equal(120, points.Count);
    }

    [Fact]
    public async Task Duplicate_inside_one_write_is_stored_once()
    {
        await using var store = SqliteTelemetryStore.Open(_dir.Path);
        var outcomes = await store.WriteAsync([Batch("edge-1", 1, HeliumHour(T0, 80)), Batch("edge-1", 1, HeliumHour(T0, 80))], _ct);

        Assert.Equal([WriteOutcome.Stored, WriteOutcome.Duplicate], outcomes);
    }

    [Fact]
    public async Task Data_and_dedup_positions_survive_reopen()
    {
        await using (var store = SqliteTelemetryStore.Open(_dir.Path))
        {
            await store.WriteAsync([Batch("edge-1", 1, HeliumHour(T0, 80)), Batch("edge-1", 2, HeliumHour(T0 + 3_600_000, 79.9))], _ct);
        }

        await using (var reopened = SqliteTelemetryStore.Open(_dir.Path))
        {
            Assert.Equal([WriteOutcome.Duplicate], await reopened.WriteAsync([Batch("edge-1", 2, HeliumHour(T0 + 3_600_000, 79.9))], _ct));
            Assert.Equal([WriteOutcome.Stored], await reopened.WriteAsync([Batch("edge-1", 3, HeliumHour(T0 + 7_200_000, 79.8))], _ct));
            var points = await reopened.QuerySignalAsync("mri01", "he_level_pct", DateTimeOffset.FromUnixTimeMilliseconds(T0), DateTimeOffset.FromUnixTimeMilliseconds(T0 + 3 * 3_600_000), 10_000, _ct);
            Assert.Equal(180, points.Count);
            var position = Assert.Single(await reopened.GetPositionsAsync(_ct));
            Assert.Equal(("edge-1", 3L, 3L), (position.Source, position.MaxSeq, position.Batches));
            Assert.Equal(1, (await reopened.GetCountersAsync(_ct)).DuplicatesDropped);
        }
    }

    [Fact]
    public async Task Bad_records_of_a_batch_are_quarantined_once_even_when_the_batch_is_resent()
    {
        await using var store = SqliteTelemetryStore.Open(_dir.Path);
        var rejected = new QuarantineItem("equipment/v1/site1/mri01/logs", "bad-timestamp", "#1 bad", [1, 2, 3], WholePayload: false, RecordsRejected: 1, Received);
        var item = new BatchItem("site1", "mri01", new LogBatch("edge-1", 1, HeliumHour(T0, 80)), Received, rejected);

        await store.WriteAsync([item], _ct);
        await store.WriteAsync([item], _ct);

        var entry = Assert.Single(await store.QueryQuarantineAsync(10, null, _ct));
        Assert.Equal("bad-timestamp", entry.Reason);
        Assert.False(entry.WholePayload);
        Assert.Equal(new byte[] { 1, 2, 3 }, entry.Payload);
        var counters = await store.GetCountersAsync(_ct);
        Assert.Equal((1L, 0L), (counters.RecordsRejected, counters.PayloadsRejected));
    }

    [Fact]
    public async Task Quarantined_payloads_are_listed_newest_first_with_reason_and_raw_bytes()
    {
        await using var store = SqliteTelemetryStore.Open(_dir.Path);
        await store.WriteAsync(
        [
            new QuarantineItem("t/1", "malformed-json", "cut", "{\"a\""u8.ToArray(), true, 0, Received),
            new QuarantineItem("t/2", "schema-mismatch", "nope", [0xff, 0xfe], true, 0, Received.AddSeconds(1)),
        ], _ct);

        var entries = await store.QueryQuarantineAsync(10, null, _ct);

        Assert.Equal(["schema-mismatch", "malformed-json"], entries.Select(e => e.Reason));
        Assert.Equal(new byte[] { 0xff, 0xfe }, entries[0].Payload);
        Assert.Equal(2, (await store.GetCountersAsync(_ct)).PayloadsRejected);
    }

    [Fact]
    public async Task Latest_value_follows_event_time_not_arrival_order()
    {
        await using var store = SqliteTelemetryStore.Open(_dir.Path);
        await store.WriteAsync([Batch("edge-1", 2, LogRecord.Param(T0 + 1000, "he_level_pct", 70))], _ct);
        await store.WriteAsync([Batch("edge-1", 1, LogRecord.Param(T0, "he_level_pct", 90))], _ct);

        var device = Assert.Single(await store.LoadDevicesAsync(_ct));
        Assert.Equal(new Core.Twins.SignalReading(T0 + 1000, 70), device.Latest["he_level_pct"]);
    }

    [Fact]
    public async Task Maintenance_records_are_stored_and_queried()
    {
        await using var store = SqliteTelemetryStore.Open(_dir.Path);
        await store.WriteAsync([new MaintenanceItem("site1", "mri01", new MaintenanceRecord(T0, "cold_head", MaintenanceAction.Replace, "exchanged", "JD"), Received)], _ct);

        var records = await store.QueryMaintenanceAsync("mri01", DateTimeOffset.FromUnixTimeMilliseconds(0), DateTimeOffset.FromUnixTimeMilliseconds(T0 + 1), 10, _ct);

        Assert.Equal(MaintenanceAction.Replace, Assert.Single(records).Action);
    }

    [Fact]
    public async Task A_failed_write_leaves_nothing_behind()
    {
        await using var store = SqliteTelemetryStore.Open(_dir.Path);
        var bad = new UnknownItem(Received);

        await Assert.ThrowsAsync<ArgumentException>(() => store.WriteAsync([Batch("edge-1", 1, HeliumHour(T0, 80)), bad], _ct));

        Assert.Equal([WriteOutcome.Stored], await store.WriteAsync([Batch("edge-1", 1, HeliumHour(T0, 80))], _ct));
        Assert.Equal(1, (await store.GetCountersAsync(_ct)).BatchesAccepted);
    }

    private sealed record UnknownItem(DateTimeOffset ReceivedAt) : IngestItem(ReceivedAt);

    public void Dispose() => _dir.Dispose();
}
