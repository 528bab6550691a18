using System.Diagnostics;
using System.Text.Json;
using EquipmentTwin.Cli.Commands;
using EquipmentTwin.Cli.Progress;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Storage;
using EquipmentTwin.Storage.Sqlite;

namespace EquipmentTwin.Cli.Bench;

/// <summary>Options of <c>twin bench store</c>.</summary>
public sealed record StoreBenchOptions(int Days, int IntervalMs, int Queries, int Points, bool Json);

/// <summary>
/// <c>twin bench store</c>: one signal at one reading per <c>IntervalMs</c> for <c>Days</c> days written through
/// the store, then range queries over 1 day and the whole span, raw and downsampled to <c>Points</c> buckets
/// (p50/p99 ms). The baseline in the same run: reading the same readings back raw (the raw query of the span).
/// Before timing, the downsampled answer over the whole span is checked against buckets computed from the raw
/// readings (exact: same count, min, max and sum per bucket); a mismatch fails the command.
/// </summary>
public static class StoreBench
{
    private const string Device = "mr-bench-1";
    private const string Signal = "gradient_coil_temp_c";

    public static async Task<int> RunAsync(StoreBenchOptions o, TextWriter output, TextWriter error)
    {
        using var progress = ReferenceEquals(error, Console.Error) ? ConsoleProgress.Start("twin bench store") : ConsoleProgress.Start("twin bench store", error);
        var dir = Path.Combine(Path.GetTempPath(), "twin-bench-store-" + Guid.NewGuid().ToString("N"));
        try
        {
            var t0 = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
            var total = (long)o.Days * 86_400_000 / o.IntervalMs;
            var rng = new Random(1);
            var sw = Stopwatch.StartNew();
            progress.Step("writing one signal", total, "readings");
            await using (var store = SqliteTelemetryStore.Open(dir))
            {
                for (long i = 0, seq = 1; i < total; seq++)
                {
                    var n = (int)Math.Min(500, total - i);
                    var records = new LogRecord[n];
                    for (var k = 0; k < n; k++, i++)
                    {
                        records[k] = LogRecord.Param(t0 + i * o.IntervalMs + rng.Next(0, Math.Min(50, o.IntervalMs)), Signal, Math.Round(30 + 5 * Math.Sin(i / 3600.0) + rng.NextDouble(), 2));
                    }

                    await store.WriteAsync([new BatchItem("bench", Device, new LogBatch("bench", seq, records), DateTimeOffset.UtcNow)], CancellationToken.None);
                    progress.Report(i);
                }
            }

            var writeSeconds = sw.Elapsed.TotalSeconds;
            var bytes = Directory.GetFiles(dir).Sum(f => new FileInfo(f).Length);
            await using var reader = SqliteTelemetryStore.Open(dir);
            var from = DateTimeOffset.FromUnixTimeMilliseconds(t0);
            var day = from.AddDays(1);
            var all = from.AddDays(o.Days);
            progress.Step("checking the downsampled answer against the raw readings");
            var exact = await CheckExactAsync(reader, from, all, o.Points);
            if (exact is not null)
            {
                throw new FailureException($"store bench: the downsampled answer differs from the raw readings: {exact}");
            }

            progress.Step("timing queries");
            var raw1 = await Time(o.Queries, () => reader.QuerySignalAsync(Device, Signal, from, day, int.MaxValue, CancellationToken.None));
            var rawAll = await Time(Math.Max(3, o.Queries / 10), () => reader.QuerySignalAsync(Device, Signal, from, all, int.MaxValue, CancellationToken.None));
            var down1 = await Time(o.Queries, () => reader.QuerySignalBucketsAsync(Device, Signal, from, day, o.Points, CancellationToken.None));
            var downAll = await Time(o.Queries, () => reader.QuerySignalBucketsAsync(Device, Signal, from, all, o.Points, CancellationToken.None));
            if (o.Json)
            {
                output.WriteLine(JsonSerializer.Serialize(new
                {
                    bench = "store",
                    options = o,
                    readings = total,
                    writeReadingsPerSecond = total / writeSeconds,
                    bytesPerReading = (double)bytes / total,
                    downsampledEqualsRaw = true,
                    rawOneDayMs = new { p50 = raw1.P50, p99 = raw1.P99 },
                    rawAllMs = new { p50 = rawAll.P50, p99 = rawAll.P99 },
                    downsampledOneDayMs = new { p50 = down1.P50, p99 = down1.P99 },
                    downsampledAllMs = new { p50 = downAll.P50, p99 = downAll.P99 },
                    machine = "shared",
                    host = BenchSupport.Host(),
                }));
            }
            else
            {
                output.WriteLine($"store bench: one signal, {total:N0} readings over {o.Days} days (machine shared: compare with the raw read in the same run)");
                output.WriteLine($"written at {total / writeSeconds:N0} readings/s; {(double)bytes / total:0.00} bytes per reading on disk");
                output.WriteLine($"downsampled answer over {o.Days} days equals buckets computed from the raw readings: yes");
                output.WriteLine($"1 day raw: p50 {raw1.P50:0.0} ms, p99 {raw1.P99:0.0} ms; 1 day at {o.Points:N0} points: p50 {down1.P50:0.0} ms, p99 {down1.P99:0.0} ms");
                output.WriteLine($"{o.Days} days raw (baseline): p50 {rawAll.P50:0.0} ms, p99 {rawAll.P99:0.0} ms; {o.Days} days at {o.Points:N0} points: p50 {downAll.P50:0.0} ms, p99 {downAll.P99:0.0} ms");
            }

            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Null when every bucket equals the one computed from the raw readings; otherwise what differs.</summary>
    internal static async Task<string?> CheckExactAsync(ITelemetryStore store, DateTimeOffset from, DateTimeOffset to, int points)
    {
        var raw = await store.QuerySignalAsync(Device, Signal, from, to, int.MaxValue, CancellationToken.None);
        var answer = await store.QuerySignalBucketsAsync(Device, Signal, from, to, points, CancellationToken.None);
        var f = from.ToUnixTimeMilliseconds();
        var expected = new SortedDictionary<long, (double Min, double Max, double Sum, long Count)>();
        foreach (var p in raw)
        {
            var start = f + ((p.TimestampMs - f) / answer.BucketMs * answer.BucketMs);
            var b = expected.GetValueOrDefault(start, (double.PositiveInfinity, double.NegativeInfinity, 0, 0));
            expected[start] = (Math.Min(b.Min, p.Value), Math.Max(b.Max, p.Value), b.Sum + p.Value, b.Count + 1);
        }

        if (expected.Count != answer.Buckets.Count)
        {
            return $"{answer.Buckets.Count} buckets, raw readings fill {expected.Count}";
        }

        foreach (var b in answer.Buckets)
        {
            if (!expected.TryGetValue(b.StartMs, out var e))
            {
                return $"bucket at {b.StartMs} has no raw reading";
            }

            // Sums in a different order may differ in the last bits; the mean is compared to 1e-9 relative.
            if (e.Count != b.Count || e.Min != b.Min || e.Max != b.Max || Math.Abs((e.Sum / e.Count) - b.Mean) > 1e-9 * Math.Max(1, Math.Abs(b.Mean)))
            {
                return $"bucket at {b.StartMs}: count {b.Count}/{e.Count}, min {b.Min}/{e.Min}, max {b.Max}/{e.Max}, mean {b.Mean}/{e.Sum / e.Count}";
            }
        }

        return null;
    }

    private static async Task<(double P50, double P99)> Time<T>(int n, Func<Task<T>> query)
    {
        var ms = new List<double>();
        await query();
        for (var i = 0; i < n; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await query();
            ms.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        ms.Sort();
        return (BenchSupport.Percentile(ms, 0.5), BenchSupport.Percentile(ms, 0.99));
    }
}
