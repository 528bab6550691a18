using System.Text.Json;

namespace EquipmentTwin.Cli.Tests;

/// <summary>Each bench run small: its JSON carries the figure, the same-run baseline and plausible values (never a timing threshold).</summary>
public sealed class BenchTests
{
    private static async Task<JsonElement> RunJsonAsync(params string[] args)
    {
        var (code, stdout, stderr) = await InProcess.TwinAsync([.. args, "--json"]);
        Assert.True(code == 0, stderr);

        // Progress goes to stderr; stdout is the JSON document alone.
        Assert.Contains($"twin bench {args[1]}: ", stderr, StringComparison.Ordinal);
        return JsonDocument.Parse(stdout.Trim()).RootElement;
    }

    [Fact]
    public async Task Bench_store_reports_size_and_query_times_and_checks_the_downsampled_answer_against_the_raw_readings()
    {
        var r = await RunJsonAsync("bench", "store", "--days", "2", "--interval-ms", "10000", "--queries", "3", "--points", "100");

        Assert.Equal("store", r.GetProperty("bench").GetString());
        Assert.Equal(2 * 8640, r.GetProperty("readings").GetInt64());
        Assert.True(r.GetProperty("downsampledEqualsRaw").GetBoolean());
        // 17,280 readings in a store with its fixed tables: more than the raw payload alone, far less than a row each.
        Assert.InRange(r.GetProperty("bytesPerReading").GetDouble(), 0.5, 100);
        Assert.True(r.GetProperty("writeReadingsPerSecond").GetDouble() > 0);
        foreach (var query in new[] { "rawOneDayMs", "rawAllMs", "downsampledOneDayMs", "downsampledAllMs" })
        {
            var q = r.GetProperty(query);
            Assert.True(q.GetProperty("p50").GetDouble() > 0, query);
            Assert.True(q.GetProperty("p99").GetDouble() >= q.GetProperty("p50").GetDouble(), query);
        }

        Assert.Equal("shared", r.GetProperty("machine").GetString());
        AssertHost(r);
    }

    [Fact]
    public async Task Bench_latency_gets_every_devices_alert_and_reports_it_beside_the_puback_of_the_same_record()
    {
        var r = await RunJsonAsync("bench", "latency", "--devices", "3", "--warmup", "0");

        Assert.Equal("latency", r.GetProperty("bench").GetString());
        Assert.Equal("ct-tube-arc-shutdown", r.GetProperty("rule").GetString());
        // The command fails when a device's alert (open, with the rule's evidence) does not arrive; the count says every one did.
        Assert.Equal(3, r.GetProperty("alertsReceived").GetInt32());
        foreach (var figure in new[] { "publishToAlertMs", "publishToPubackMs" })
        {
            var f = r.GetProperty(figure);
            Assert.True(f.GetProperty("p50").GetDouble() > 0, figure);
            Assert.True(f.GetProperty("p99").GetDouble() >= f.GetProperty("p50").GetDouble(), figure);
            Assert.True(f.GetProperty("max").GetDouble() >= f.GetProperty("p99").GetDouble(), figure);
        }

        Assert.Equal(r.GetProperty("publishToAlertMs").GetProperty("p50").GetDouble() / r.GetProperty("publishToPubackMs").GetProperty("p50").GetDouble(), r.GetProperty("ratioP50").GetDouble(), 9);
        Assert.Equal("shared", r.GetProperty("machine").GetString());
        AssertHost(r);
    }

    [Fact]
    public async Task Bench_ingest_reports_the_rate_beside_both_raw_append_baselines()
    {
        var r = await RunJsonAsync("bench", "ingest", "--clients", "2", "--batches", "10", "--records", "100", "--runs", "1", "--warmup", "0");

        Assert.Equal("ingest", r.GetProperty("bench").GetString());
        var median = r.GetProperty("medianRecordsPerSecond").GetDouble();
        Assert.True(median > 0);
        Assert.Equal(1, r.GetProperty("runsRecordsPerSecond").GetArrayLength());
        var baseline = r.GetProperty("baselineRowsPerSecond");
        Assert.True(baseline.GetProperty("noIndex").GetDouble() > 0);
        Assert.True(baseline.GetProperty("primaryKey").GetDouble() > 0);
        Assert.Equal(median / baseline.GetProperty("noIndex").GetDouble(), r.GetProperty("ratioToNoIndex").GetDouble(), 9);
        var latency = r.GetProperty("publishToCommitMs");
        Assert.True(latency.GetProperty("p99").GetDouble() >= latency.GetProperty("p50").GetDouble());
    }

    [Fact]
    public async Task Bench_codec_reports_decoder_speed_and_allocations_beside_plain_json_parsing()
    {
        var r = await RunJsonAsync("bench", "codec", "--records", "100", "--payloads", "20", "--runs", "2");

        Assert.Equal("codec", r.GetProperty("bench").GetString());
        AssertHost(r);
        Assert.InRange(r.GetProperty("bytesPerRecordOnTheWire").GetDouble(), 40, 200);
        foreach (var part in new[] { "decoder", "baselineReaderScan", "baselineJsonDocument" })
        {
            var p = r.GetProperty(part);
            Assert.True(p.GetProperty("mbPerSecond").GetDouble() > 0, part);
            Assert.True(p.GetProperty("recordsPerSecond").GetDouble() > 0, part);
            Assert.True(p.GetProperty("allocatedBytesPerRecord").GetDouble() >= 0, part);
        }

        // A decoded record is a struct in a list, so the decoder allocates something per record, and a reader pass almost nothing.
        Assert.True(r.GetProperty("decoder").GetProperty("allocatedBytesPerRecord").GetDouble() > r.GetProperty("baselineReaderScan").GetProperty("allocatedBytesPerRecord").GetDouble());
        Assert.True(r.GetProperty("ratioToReaderScan").GetDouble() > 0);
    }

    [Fact]
    public async Task Bench_analytics_runs_one_mri_through_every_engine_at_both_details_beside_the_simulator_alone()
    {
        var r = await RunJsonAsync("bench", "analytics", "--days", "2", "--training-days", "1");

        Assert.Equal("analytics", r.GetProperty("bench").GetString());
        AssertHost(r);
        Assert.Equal("mri", r.GetProperty("modality").GetString());
        Assert.Equal(1, r.GetProperty("devices").GetInt32());
        Assert.Equal(2 / 365.0, r.GetProperty("deviceYears").GetDouble(), 9);
        Assert.StartsWith("trained on 1 healthy days", r.GetProperty("anomalyModels").GetString(), StringComparison.Ordinal);
        Assert.Equal(["rules", "physics", "anomaly", "fusion"], r.GetProperty("engines").EnumerateArray().Select(e => e.GetString()));
        var full = r.GetProperty("runs").GetProperty("full");
        var summary = r.GetProperty("runs").GetProperty("summary");
        foreach (var run in new[] { full, summary })
        {
            var seconds = run.GetProperty("seconds").GetDouble();
            Assert.True(seconds > 0);
            Assert.Equal(run.GetProperty("records").GetInt64() / seconds, run.GetProperty("recordsPerSecond").GetDouble(), 6);
            Assert.Equal(2 / 365.0 / seconds * 60, run.GetProperty("deviceYearsPerMinute").GetDouble(), 6);
            Assert.Equal(seconds / (2 / 365.0), run.GetProperty("secondsPerDeviceYear").GetDouble(), 6);
            var baseline = run.GetProperty("baselineSimulatorAlone");
            Assert.True(baseline.GetProperty("seconds").GetDouble() > 0);
            Assert.Equal(seconds / baseline.GetProperty("seconds").GetDouble(), run.GetProperty("ratioToSimulatorAlone").GetDouble(), 9);
        }

        // Full detail is one reading per signal every few seconds, summary one every 5 minutes: far more records.
        Assert.True(full.GetProperty("records").GetInt64() > 10 * summary.GetProperty("records").GetInt64());
        Assert.True(summary.GetProperty("records").GetInt64() > 1000);
        Assert.Equal("shared", r.GetProperty("machine").GetString());
        AssertHost(r);
    }

    [Fact]
    public async Task Bench_analytics_refuses_more_devices_than_the_fleet_has_as_a_usage_error()
    {
        var (code, _, stderr) = await InProcess.TwinAsync(["bench", "analytics", "--devices", "10000", "--days", "1", "--json"]);

        Assert.Equal(2, code);
        Assert.Contains("--devices 10000", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bench_memory_reports_bytes_per_live_twin_beside_the_pipeline_with_no_device()
    {
        using var dir = new EquipmentTwin.Testing.TempDirectory("twin-bench-memory");
        var plots = Path.Combine(dir.Path, "plots");

        // A process of its own: the heap it measures holds nothing of the other tests running beside it.
        var (code, stdout, stderr) = await CliProcess.RunAsync(CliProcess.Twin, dir.Path, TimeSpan.FromMinutes(3),
            "bench", "memory", "--devices", "3,9", "--days", "3", "--training-days", "1", "--plot", plots, "--json");
        Assert.True(code == 0, stderr);
        Assert.Contains("twin bench memory: ", stderr, StringComparison.Ordinal);
        var r = JsonDocument.Parse(stdout.Trim()).RootElement;

        Assert.Equal("memory", r.GetProperty("bench").GetString());
        Assert.Equal(3, r.GetProperty("days").GetDouble());
        Assert.StartsWith("trained on 1 healthy days", r.GetProperty("anomalyModels").GetString(), StringComparison.Ordinal);
        var runs = r.GetProperty("runs").EnumerateArray().ToList();
        Assert.Equal([3, 9], runs.Select(x => x.GetProperty("devices").GetInt32()));
        foreach (var run in runs)
        {
            var devices = run.GetProperty("devices").GetInt32();
            Assert.Equal(devices, run.GetProperty("liveTwins").GetInt32());
            // 24 hourly then 48 hours every 5 minutes: (24 + 576) readings per catalog signal (MRI, CT, X-ray in turn).
            Assert.InRange(run.GetProperty("records").GetInt64(), devices * 600L * 10, devices * 600L * 40);
            var baseline = run.GetProperty("baselineBytes").GetInt64();
            var after = run.GetProperty("afterBytes").GetInt64();
            Assert.True(baseline > 0);
            Assert.True(after > baseline);
            Assert.Equal((after - baseline) / (double)devices, run.GetProperty("bytesPerDevice").GetDouble(), 6);
            // A twin keeps a history window per signal: more than a kilobyte, less than 100 MB.
            Assert.InRange(run.GetProperty("bytesPerDevice").GetDouble(), 1_000, 100_000_000);
            // 3 days fill at most 72 hourly points of a signal: the windows grew with the data, not to 60 days.
            var slots = run.GetProperty("historySlotsPerDevice");
            Assert.InRange(slots.GetProperty("hourly").GetDouble(), 10 * 8, 40 * 128);
            Assert.InRange(slots.GetProperty("fiveMinute").GetDouble(), 10 * 8, 40 * 128);
            // The windows are kept coded: fewer bytes a point than the 40-byte slot of a full ring.
            var points = slots.GetProperty("hourly").GetDouble() + slots.GetProperty("fiveMinute").GetDouble();
            Assert.InRange(run.GetProperty("historyBytesPerPoint").GetDouble(), 1, 39);
            Assert.Equal(points * run.GetProperty("historyBytesPerPoint").GetDouble(), run.GetProperty("historyBytesPerDevice").GetDouble(), 6);
        }

        Assert.Equal("shared", r.GetProperty("machine").GetString());
        AssertHost(r);
        var png = Path.Combine(plots, "memory-vs-devices.png");
        Assert.Equal(png, r.GetProperty("plot").GetString());
        using var bitmap = SkiaSharp.SKBitmap.Decode(png);
        Assert.True(bitmap is { Width: > 100, Height: > 100 }, "memory-vs-devices.png does not decode as an image");
    }

    [Fact]
    public async Task Bench_memory_refuses_a_device_list_that_is_not_counts()
    {
        var (code, _, stderr) = await InProcess.TwinAsync(["bench", "memory", "--devices", "10,x", "--json"]);

        Assert.Equal(2, code);
        Assert.Contains("--devices '10,x'", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bench_ingest_plot_sweeps_publishers_and_batch_size_and_draws_two_decodable_pngs()
    {
        using var dir = new EquipmentTwin.Testing.TempDirectory("twin-bench-plot");
        var plots = Path.Combine(dir.Path, "plots");

        var r = await RunJsonAsync("bench", "ingest", "--clients", "2", "--batches", "4", "--records", "50", "--runs", "1", "--warmup", "0", "--plot", plots);

        var sweep = r.GetProperty("sweep").EnumerateArray().ToList();
        Assert.Equal([1, 2, 4, 8, 16], sweep.Where(p => p.GetProperty("Varied").GetString() == "publishers").Select(p => p.GetProperty("Clients").GetInt32()));
        Assert.Equal([50, 100, 500, 2000], sweep.Where(p => p.GetProperty("Varied").GetString() == "records").Select(p => p.GetProperty("Records").GetInt32()));
        Assert.All(sweep, p => Assert.True(p.GetProperty("RecordsPerSecond").GetDouble() > 0));
        foreach (var file in new[] { "ingest-vs-publishers.png", "ingest-vs-batch-size.png" })
        {
            using var bitmap = SkiaSharp.SKBitmap.Decode(Path.Combine(plots, file));
            Assert.True(bitmap is { Width: > 100, Height: > 100 }, $"{file} does not decode as an image");
        }
    }

    /// <summary>Every bench names the machine its figures were taken on: cores, the load average then, the OS.</summary>
    private static void AssertHost(JsonElement r)
    {
        var host = r.GetProperty("host");
        Assert.Equal(Environment.ProcessorCount, host.GetProperty("cores").GetInt32());
        Assert.True(host.GetProperty("loadAverage1m").GetDouble() >= 0);
        Assert.False(string.IsNullOrWhiteSpace(host.GetProperty("os").GetString()));
    }
}
