using EquipmentTwin.Core.Progress;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Storage.Sqlite;
using EquipmentTwin.Testing;
using Microsoft.Data.Sqlite;

namespace EquipmentTwin.Storage.Tests;

public sealed class ChunkedTelemetryTests : IDisposable
{
    private static readonly DateTimeOffset Received = new(2026, 11, 24, 3, 0, 0, TimeSpan.Zero);
    private static readonly long T0 = new DateTimeOffset(2026, 11, 24, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
    private readonly TempDirectory _dir = new("chunks");
    private readonly CancellationToken _ct = CancellationToken.None;

    private static BatchItem Batch(string source, long seq, IEnumerable<LogRecord> records) =>
        new("site1", "mri01", new LogBatch(source, seq, records.ToArray()), Received);

    private static DateTimeOffset Ms(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    [Fact]
    public async Task Same_millisecond_reading_stored_last_wins_within_and_across_batches_and_after_sealing()
    {
        await using (var store = SqliteTelemetryStore.Open(_dir.Path))
        {
            await store.WriteAsync([Batch("a", 1, [LogRecord.Param(T0, "x", 1), LogRecord.Param(T0, "x", 2), LogRecord.Param(T0 + 1, "x", 3)])], _ct);
            await store.WriteAsync([Batch("a", 2, [LogRecord.Param(T0 + 1, "x", 4)])], _ct);
            var points = await store.QuerySignalAsync("mri01", "x", Ms(T0), Ms(T0 + 10), 100, _ct);
            Assert.Equal([new SignalPoint(T0, 2), new SignalPoint(T0 + 1, 4)], points);
        }

        // Closing seals the open chunks; a later write at the same millisecond still wins over the sealed one.
        await using (var store = SqliteTelemetryStore.Open(_dir.Path))
        {
            await store.WriteAsync([Batch("a", 3, [LogRecord.Param(T0, "x", 5)])], _ct);
            var points = await store.QuerySignalAsync("mri01", "x", Ms(T0), Ms(T0 + 10), 100, _ct);
            Assert.Equal([new SignalPoint(T0, 5), new SignalPoint(T0 + 1, 4)], points);
        }
    }

    [Fact]
    public async Task Many_small_writes_out_of_order_are_sealed_and_read_back_exactly()
    {
        var rng = new Random(3);
        var expected = new SortedDictionary<long, double>();
        await using var store = SqliteTelemetryStore.Open(_dir.Path);
        // 3 days of one reading every 20 s, written in 400 batches in shuffled order, some readings rewritten.
        var all = Enumerable.Range(0, 3 * 4320).Select(i => T0 + i * 20_000L).ToArray();
        var batches = all.Chunk(32).OrderBy(_ => rng.Next()).ToList();
        var seq = 0;
        foreach (var chunk in batches)
        {
            var records = chunk.Select(ts => LogRecord.Param(ts, "he_level_pct", Math.Round(80 + rng.NextDouble(), 2))).ToList();
            if (seq % 7 == 0)
            {
                records.Add(LogRecord.Param(all[rng.Next(all.Length)], "he_level_pct", 99.5));
            }

            foreach (var r in records)
            {
                expected[r.TimestampMs] = r.Value;
            }

            await store.WriteAsync([Batch("edge", ++seq, records)], _ct);
        }

        var points = await store.QuerySignalAsync("mri01", "he_level_pct", Ms(T0), Ms(T0 + 4 * 86_400_000L), 1_000_000, _ct);
        Assert.Equal(expected.Select(kv => new SignalPoint(kv.Key, kv.Value)), points);

        var window = await store.QuerySignalAsync("mri01", "he_level_pct", Ms(T0 + 86_000_000), Ms(T0 + 87_000_000), 1_000_000, _ct);
        Assert.Equal(expected.Where(kv => kv.Key >= T0 + 86_000_000 && kv.Key < T0 + 87_000_000).Select(kv => new SignalPoint(kv.Key, kv.Value)), window);

        var limited = await store.QuerySignalAsync("mri01", "he_level_pct", Ms(T0), Ms(T0 + 4 * 86_400_000L), 5, _ct);
        Assert.Equal(expected.Take(5).Select(kv => new SignalPoint(kv.Key, kv.Value)), limited);

        var records2 = await store.QueryRecordsAsync("mri01", Ms(T0), Ms(T0 + 4 * 86_400_000L), _ct);
        Assert.Equal(expected.Keys, records2.Select(r => r.TimestampMs));

        // Buckets from chunk summaries agree with buckets computed from every reading.
        var from = T0 + 12_345;
        var to = T0 + 3 * 86_400_000L - 999;
        var buckets = await store.QuerySignalBucketsAsync("mri01", "he_level_pct", Ms(from), Ms(to), 7, _ct);
        var width = (to - from + 6) / 7;
        Assert.Equal(width, buckets.BucketMs);
        var naive = expected.Where(kv => kv.Key >= from && kv.Key < to).GroupBy(kv => (kv.Key - from) / width)
            .Select(g => new SignalBucket(from + g.Key * width, g.Min(kv => kv.Value), g.Max(kv => kv.Value), g.Average(kv => kv.Value), g.Count())).ToList();
        Assert.Equal(naive.Count, buckets.Buckets.Count);
        foreach (var (a, b) in naive.Zip(buckets.Buckets))
        {
            Assert.Equal(a.StartMs, b.StartMs);
            Assert.Equal(a.Count, b.Count);
            Assert.Equal(a.Min, b.Min);
            Assert.Equal(a.Max, b.Max);
            Assert.Equal(a.Mean, b.Mean, 9);
        }

        var counters = await store.GetCountersAsync(_ct);
        Assert.Equal(seq, counters.BatchesAccepted);
    }

    [Fact]
    public async Task Bucket_queries_equal_every_reading_with_sealed_chunks_inside_and_across_buckets_overlapping_open_chunks_and_older_1024_reading_chunks()
    {
        var expected = new SortedDictionary<long, double>();
        var rng = new Random(11);
        await using (var store = SqliteTelemetryStore.Open(_dir.Path))
        {
            // Day 1: 5,000 readings every 10 s in order, sealed into chunks of at most SealedReadings.
            for (var b = 0; b < 10; b++)
            {
                var records = Enumerable.Range(b * 500, 500).Select(i => LogRecord.Param(T0 + i * 10_000L, "x", Math.Round(rng.NextDouble() * 100, 2))).ToList();
                records.ForEach(r => expected[r.TimestampMs] = r.Value);
                await store.WriteAsync([Batch("edge", b + 1, records)], _ct);
            }
        }

        using (var c = new SqliteConnection($"Data Source={Path.Combine(_dir.Path, "twin.db")};Pooling=False"))
        {
            c.Open();
            using var max = c.CreateCommand();
            max.CommandText = "SELECT max(n) FROM chunks WHERE sealed = 1";
            Assert.Equal(256, Convert.ToInt32(max.ExecuteScalar()));

            // Day 2 as an older build sealed it: one chunk of 1,024 readings.
            var ts = Enumerable.Range(0, 1024).Select(i => T0 + 86_400_000L + i * 30_000L).ToArray();
            var vs = ts.Select(_ => Math.Round(rng.NextDouble() * 100, 1)).ToArray();
            using var insert = c.CreateCommand();
            insert.CommandText = "INSERT INTO chunks (series, t0, t1, n, vmin, vmax, vsum, vfirst, vlast, sealed, data) " +
                "SELECT id, $t0, $t1, 1024, $mn, $mx, $sm, $f, $l, 1, $d FROM series WHERE device = 'mri01' AND signal = 'x'";
            insert.Parameters.AddWithValue("$t0", ts[0]);
            insert.Parameters.AddWithValue("$t1", ts[^1]);
            insert.Parameters.AddWithValue("$mn", vs.Min());
            insert.Parameters.AddWithValue("$mx", vs.Max());
            insert.Parameters.AddWithValue("$sm", vs.Sum());
            insert.Parameters.AddWithValue("$f", vs[0]);
            insert.Parameters.AddWithValue("$l", vs[^1]);
            insert.Parameters.AddWithValue("$d", ChunkCodec.Encode(ts, vs));
            Assert.Equal(1, insert.ExecuteNonQuery());
            for (var i = 0; i < ts.Length; i++)
            {
                expected[ts[i]] = vs[i];
            }
        }

        await using var open = SqliteTelemetryStore.Open(_dir.Path);
        // Day 3: small writes whose open chunks overlap in time (interleaved), some at a millisecond already written.
        var day3 = T0 + 2 * 86_400_000L;
        for (var w = 0; w < 6; w++)
        {
            var records = Enumerable.Range(0, 40).Select(i => LogRecord.Param(day3 + (i * 6 + w) * 1_000L + (w == 5 ? -1_000 : 0), "x", Math.Round(rng.NextDouble() * 100, 2))).ToList();
            records.ForEach(r => expected[r.TimestampMs] = r.Value);
            await open.WriteAsync([Batch("edge", 100 + w, records)], _ct);
        }

        var from = T0 - 5_000;
        var to = T0 + 3 * 86_400_000L;
        foreach (var count in new[] { 1, 3, 7, 200, 2_000 })
        {
            var buckets = await open.QuerySignalBucketsAsync("mri01", "x", Ms(from), Ms(to), count, _ct);
            var width = buckets.BucketMs;
            var naive = expected.Where(kv => kv.Key >= from && kv.Key < to).GroupBy(kv => (kv.Key - from) / width)
                .Select(g => new SignalBucket(from + g.Key * width, g.Min(kv => kv.Value), g.Max(kv => kv.Value), g.Average(kv => kv.Value), g.Count())).ToList();
            Assert.Equal(naive.Count, buckets.Buckets.Count);
            foreach (var (a, b) in naive.Zip(buckets.Buckets))
            {
                Assert.Equal((a.StartMs, a.Count, a.Min, a.Max), (b.StartMs, b.Count, b.Min, b.Max));
                Assert.Equal(a.Mean, b.Mean, 9);
            }
        }

        var points = await open.QuerySignalAsync("mri01", "x", Ms(from), Ms(to), int.MaxValue, _ct);
        Assert.Equal(expected.Select(kv => new SignalPoint(kv.Key, kv.Value)), points);
    }

    [Fact]
    public async Task Bucket_queries_equal_every_reading_when_every_blob_of_a_day_is_read_and_a_day_of_overlapping_open_chunks_lies_between_sealed_days()
    {
        var expected = new SortedDictionary<long, double>();
        var rng = new Random(17);
        await using var store = SqliteTelemetryStore.Open(_dir.Path);
        // Days 1 and 3: a reading a second with values that need XOR coding (about 2 KB a sealed chunk, so a day whose
        // every chunk crosses a bucket edge holds far more blob bytes than the query's first buffer).
        long seq = 0;
        foreach (var day in new[] { 0L, 2L })
        {
            for (var b = 0; b < 86_400 / 4_800; b++)
            {
                var records = Enumerable.Range(b * 4_800, 4_800).Select(i => LogRecord.Param(T0 + (day * 86_400_000L) + (i * 1_000L) + rng.Next(0, 50), "x", rng.NextDouble() * 100)).ToList();
                records.ForEach(r => expected[r.TimestampMs] = r.Value);
                await store.WriteAsync([Batch("edge", ++seq, records)], _ct);
            }
        }

        // Day 2, written last: open chunks that interleave in time, one rewriting readings already stored.
        var day2 = T0 + 86_400_000L;
        for (var w = 0; w < 5; w++)
        {
            var records = Enumerable.Range(0, 60).Select(i => LogRecord.Param(day2 + ((i * 5 + w) * 7_000L) - (w == 4 ? 7_000 : 0), "x", Math.Round(rng.NextDouble() * 100, 2))).ToList();
            records.ForEach(r => expected[r.TimestampMs] = r.Value);
            await store.WriteAsync([Batch("edge", ++seq, records)], _ct);
        }

        // Ranges that start and end inside chunks; bucket counts from one bucket to more buckets than chunks.
        foreach (var (from, to) in new[] { (T0 + 777, T0 + (3 * 86_400_000L) - 12_345), (T0 - 1, T0 + (3 * 86_400_000L)), (day2 - 3_600_000, day2 + 3_600_000) })
        {
            foreach (var count in new[] { 1, 50, 2_000, 20_000 })
            {
                var buckets = await store.QuerySignalBucketsAsync("mri01", "x", Ms(from), Ms(to), count, _ct);
                AssertEqualsEveryReading(expected, from, to, buckets);
            }
        }
    }

    private static void AssertEqualsEveryReading(SortedDictionary<long, double> expected, long from, long to, SignalBuckets buckets)
    {
        var width = buckets.BucketMs;
        var naive = expected.Where(kv => kv.Key >= from && kv.Key < to).GroupBy(kv => (kv.Key - from) / width)
            .Select(g => new SignalBucket(from + (g.Key * width), g.Min(kv => kv.Value), g.Max(kv => kv.Value), g.Average(kv => kv.Value), g.Count())).ToList();
        Assert.Equal(naive.Count, buckets.Buckets.Count);
        foreach (var (a, b) in naive.Zip(buckets.Buckets))
        {
            Assert.Equal((a.StartMs, a.Count, a.Min, a.Max), (b.StartMs, b.Count, b.Min, b.Max));
            Assert.Equal(a.Mean, b.Mean, 9);
        }
    }

    [Fact]
    public async Task Readings_take_a_few_bytes_each_on_disk_page_overhead_included()
    {
        var rng = new Random(5);
        await using (var store = SqliteTelemetryStore.Open(_dir.Path))
        {
            for (var b = 0; b < 200; b++)
            {
                var records = Enumerable.Range(0, 500).Select(i =>
                {
                    var k = b * 500 + i;
                    return LogRecord.Param(T0 + (k / 10) * 10_000L, "s" + (k % 10), Math.Round(20 + (k % 10) + rng.NextDouble(), 2));
                });
                await store.WriteAsync([Batch("edge", b + 1, records)], _ct);
            }
        }

        long Bytes(string dir) => Directory.GetFiles(dir).Sum(f => new FileInfo(f).Length);
        using var empty = new TempDirectory("empty");
        await SqliteTelemetryStore.Open(empty.Path).DisposeAsync();
        var perReading = (Bytes(_dir.Path) - Bytes(empty.Path)) / 100_000.0;
        Assert.True(perReading is > 0.1 and < 3.0, $"{perReading:0.00} bytes per reading; " + string.Join(", ", Directory.GetFiles(_dir.Path).Select(f => $"{Path.GetFileName(f)} {new FileInfo(f).Length}")) + " " + Stats());
    }

    [Fact]
    public async Task Migrate_moves_row_per_reading_telemetry_into_chunks()
    {
        var db = Path.Combine(_dir.Path, "twin.db");
        Directory.CreateDirectory(_dir.Path);
        using (var c = new SqliteConnection($"Data Source={db};Pooling=False"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = """
                PRAGMA journal_mode=WAL;
                CREATE TABLE series (id INTEGER PRIMARY KEY, device TEXT NOT NULL, signal TEXT NOT NULL, UNIQUE (device, signal));
                CREATE TABLE telemetry (series INTEGER NOT NULL, ts INTEGER NOT NULL, value REAL NOT NULL, PRIMARY KEY (series, ts)) WITHOUT ROWID;
                CREATE TABLE ingest_batches (source TEXT NOT NULL, seq INTEGER NOT NULL, device TEXT NOT NULL, records INTEGER NOT NULL, received_at INTEGER NOT NULL, PRIMARY KEY (source, seq)) WITHOUT ROWID;
                INSERT INTO series VALUES (1, 'mri01', 'he_level_pct'), (2, 'mri01', 'room_temp_c');
                INSERT INTO ingest_batches VALUES ('edge', 1, 'mri01', 5000, 0);
                PRAGMA user_version = 2;
                """;
            cmd.ExecuteNonQuery();
            cmd.CommandText = "INSERT INTO telemetry VALUES ($s, $t, $v)";
            var s = cmd.Parameters.Add("$s", SqliteType.Integer);
            var t = cmd.Parameters.Add("$t", SqliteType.Integer);
            var v = cmd.Parameters.Add("$v", SqliteType.Real);
            for (var i = 0; i < 2500; i++)
            {
                s.Value = 1 + (i % 2);
                t.Value = T0 + i * 60_000L;
                v.Value = Math.Round(70 - i * 0.01, 2);
                cmd.ExecuteNonQuery();
            }
        }

        Assert.Throws<StoreMigrationRequiredException>(() => SqliteTelemetryStore.Open(_dir.Path));

        var progress = new RecordingProgress();
        var report = LayoutMigration.Run(_dir.Path, progress);

        Assert.Equal(2500, report.Readings);
        Assert.Contains(("moving readings into chunks", 2.0, "series"), progress.Steps);
        Assert.Equal(2, progress.Reports.Max());
        await using var store = SqliteTelemetryStore.Open(_dir.Path);
        var he = await store.QuerySignalAsync("mri01", "he_level_pct", Ms(T0), Ms(T0 + 3 * 86_400_000L), 10_000, _ct);
        Assert.Equal(1250, he.Count);
        Assert.Equal(new SignalPoint(T0 + 2 * 60_000L, 69.98), he[1]);
        var again = await store.WriteAsync([Batch("edge", 1, [LogRecord.Param(T0, "he_level_pct", 1)])], _ct);
        Assert.Equal([WriteOutcome.Duplicate], again);
        Assert.Equal(0, LayoutMigration.Run(_dir.Path).Readings);
    }

    private string Stats()
    {
        using var c = new SqliteConnection($"Data Source={Path.Combine(_dir.Path, "twin.db")};Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT (SELECT count(*) FROM chunks), (SELECT sum(length(data)) FROM chunks), (SELECT sum(n) FROM chunks), (SELECT freelist_count FROM pragma_freelist_count), (SELECT page_count FROM pragma_page_count), (SELECT page_size FROM pragma_page_size)";
        using var r = cmd.ExecuteReader();
        r.Read();
        return string.Join(" ", Enumerable.Range(0, 6).Select(i => r.GetValue(i)));
    }

    public void Dispose() => _dir.Dispose();

    /// <summary>Keeps what a job reported.</summary>
    private sealed class RecordingProgress : IJobProgress
    {
        public List<(string Description, double? Total, string Unit)> Steps { get; } = [];

        public List<double> Reports { get; } = [];

        public void Step(string description, double? total = null, string unit = "") => Steps.Add((description, total, unit));

        public void Report(double done) => Reports.Add(done);
    }
}
