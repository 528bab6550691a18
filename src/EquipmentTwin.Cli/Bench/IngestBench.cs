using System.Diagnostics;
using System.Text.Json;
using EquipmentTwin.Cli.Progress;
using EquipmentTwin.Core.Progress;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Service.Hosting;
using EquipmentTwin.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Data.Sqlite;
using MQTTnet;
using MQTTnet.Protocol;

namespace EquipmentTwin.Cli.Bench;

/// <summary>Options of <c>twin bench ingest</c>.</summary>
public sealed record IngestBenchOptions(int Clients, int Batches, int Records, int Runs, int Inflight, bool Json, int Warmup = 1, string? InfluxUrl = null, string? MqttUrl = null, string? PlotDirectory = null)
{
    /// <summary>Also measure the production shape: the service subscribed to an external broker, storing into InfluxDB.</summary>
    public bool External => InfluxUrl is { Length: > 0 } && MqttUrl is { Length: > 0 };
}

/// <summary>
/// <c>twin bench ingest</c>: the real service in-process on loopback (embedded broker, SQLite in a temp
/// folder), K MQTT clients each publishing B batches of R records at QoS 1, each waiting for its PUBACK
/// (which the service sends after commit). Reports records/s per run, the median, publish-to-commit
/// latency, and in the same run the baselines: raw SQLite appends of the same (series, ts, value) rows in
/// 5,000-row WAL transactions, without an index and into a (series, ts) primary key.
/// </summary>
public static class IngestBench
{
    public static async Task<int> RunAsync(IngestBenchOptions o, TextWriter? output = null, TextWriter? error = null)
    {
        var stdout = output ?? Console.Out;
        using var progress = error is null || ReferenceEquals(error, Console.Error) ? ConsoleProgress.Start("twin bench ingest") : ConsoleProgress.Start("twin bench ingest", error);
        var perRun = (double)o.Clients * o.Batches * o.Records;
        void Say(string line)
        {
            if (!o.Json)
            {
                stdout.WriteLine(line);
            }
        }

        Say($"ingest bench: {o.Clients} clients x {o.Batches} batches x {o.Records} records, QoS 1, {o.Inflight} in flight per client, {o.Warmup} warm-up run(s), {o.Runs} runs (machine shared: compare ratios, not absolutes)");
        for (var w = 1; w <= o.Warmup; w++)
        {
            // Not counted: the first run also pays for JIT compilation and the thread pool's growth.
            progress.Step($"warm-up {w} of {o.Warmup}", perRun, "records");
            var (seconds, total, _) = await RunOnceAsync(o, progress);
            Say($"warm-up {w} (not counted): {total / seconds:N0} records/s");
        }

        var rates = new List<double>();
        var latencies = new List<double>();
        for (var run = 1; run <= o.Runs; run++)
        {
            progress.Step($"run {run} of {o.Runs}", perRun, "records");
            var (seconds, total, lat) = await RunOnceAsync(o, progress);
            var rate = total / seconds;
            rates.Add(rate);
            latencies.AddRange(lat);
            Say($"run {run}: {total:N0} records in {seconds:0.00} s = {rate:N0} records/s, {o.Clients * o.Batches / seconds:N0} batches/s");
        }

        var median = BenchSupport.Median(rates);
        var externalRates = new List<double>();
        if (o.External)
        {
            // Same run, same records: through the external broker into InfluxDB, timed from the first publish until the
            // store has counted every record (the broker's PUBACK says nothing about the store there).
            for (var run = 1; run <= o.Runs; run++)
            {
                progress.Step($"run {run} of {o.Runs} via {o.MqttUrl} into InfluxDB");
                var (seconds, total) = await RunExternalOnceAsync(o);
                externalRates.Add(total / seconds);
                Say($"influx via {o.MqttUrl} run {run}: {total:N0} records in {seconds:0.00} s = {total / seconds:N0} records/s");
            }

            Say($"influx via external broker: median {BenchSupport.Median(externalRates):N0} records/s; embedded SQLite median {median:N0} records/s; ratio influx / sqlite = {BenchSupport.Median(externalRates) / median:0.00}");
        }

        latencies.Sort();
        var p50 = BenchSupport.Percentile(latencies, 0.50);
        var p99 = BenchSupport.Percentile(latencies, 0.99);
        Say($"median: {median:N0} records/s; publish-to-commit latency p50 {p50:0.0} ms, p99 {p99:0.0} ms");

        var rows = (long)o.Clients * o.Batches * o.Records * 19 / 20;
        progress.Step($"baselines: raw SQLite appends of {rows:N0} rows, {o.Runs} runs each, without and with a primary key");
        var noIndex = BenchSupport.Median(Enumerable.Range(0, o.Runs).Select(_ => RawAppend(rows, primaryKey: false)).ToList());
        var withKey = BenchSupport.Median(Enumerable.Range(0, o.Runs).Select(_ => RawAppend(rows, primaryKey: true)).ToList());
        Say($"baseline, raw SQLite append of {rows:N0} (series, ts, value) rows in 5,000-row WAL transactions: no index {noIndex:N0} rows/s, (series, ts) primary key {withKey:N0} rows/s");
        Say($"ratio: ingest / raw no-index append = {median / noIndex:0.00}, ingest / primary-key append = {median / withKey:0.00}");
        List<SweepPoint>? sweep = null;
        if (o.PlotDirectory is { } plotDir)
        {
            sweep = await SweepAsync(o, Say, progress);
            IngestPlots.Write(plotDir, sweep, noIndex);
            Say($"plots: {Path.Combine(plotDir, IngestPlots.PublishersFile)}, {Path.Combine(plotDir, IngestPlots.BatchSizeFile)}");
        }

        if (o.Json)
        {
            stdout.WriteLine(JsonSerializer.Serialize(new
            {
                bench = "ingest",
                options = o,
                runsRecordsPerSecond = rates,
                medianRecordsPerSecond = median,
                publishToCommitMs = new { p50, p99 },
                baselineRowsPerSecond = new { noIndex, primaryKey = withKey },
                ratioToNoIndex = median / noIndex,
                ratioToPrimaryKey = median / withKey,
                influx = o.External ? new { runsRecordsPerSecond = externalRates, medianRecordsPerSecond = BenchSupport.Median(externalRates), ratioToSqlite = BenchSupport.Median(externalRates) / median } : null,
                sweep,
                machine = "shared",
                host = BenchSupport.Host(),
            }));
        }

        return 0;
    }

    /// <summary>One point of the sweep behind the plots: one run at these settings.</summary>
    public sealed record SweepPoint(string Varied, int Clients, int Records, long Total, double RecordsPerSecond);

    /// <summary>
    /// One run per point, each with about as many records as one measured run: publishers 1, 2, 4, 8, 16 at the given
    /// batch size, then batch sizes 50, 100, 500, 2,000 at the given publisher count.
    /// </summary>
    private static async Task<List<SweepPoint>> SweepAsync(IngestBenchOptions o, Action<string> say, IJobProgress progress)
    {
        var total = (long)o.Clients * o.Batches * o.Records;
        var points = new List<SweepPoint>();
        async Task Point(string varied, int clients, int records)
        {
            var batches = (int)Math.Max(1, total / ((long)clients * records));
            progress.Step($"sweep: {clients} publishers x {records} records per batch", (double)clients * batches * records, "records");
            var (seconds, count, _) = await RunOnceAsync(o with { Clients = clients, Records = records, Batches = batches }, progress);
            points.Add(new SweepPoint(varied, clients, records, count, count / seconds));
            say($"sweep: {clients} publishers x {records} records per batch: {count / seconds:N0} records/s (one run)");
        }

        foreach (var clients in new[] { 1, 2, 4, 8, 16 })
        {
            await Point("publishers", clients, o.Records);
        }

        foreach (var records in new[] { 50, 100, 500, 2000 })
        {
            await Point("records", o.Clients, records);
        }

        return points;
    }

    /// <summary>Rows/s of a plain append of the same number of parameter rows, as the baseline measured it.</summary>
    private static double RawAppend(long rows, bool primaryKey)
    {
        var path = Path.Combine(Path.GetTempPath(), "twin-bench-raw-" + Guid.NewGuid().ToString("N") + ".db");
        try
        {
            using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
            c.Open();
            using (var setup = c.CreateCommand())
            {
                setup.CommandText = primaryKey
                    ? "PRAGMA journal_mode=WAL; CREATE TABLE t (series INTEGER NOT NULL, ts INTEGER NOT NULL, value REAL NOT NULL, PRIMARY KEY (series, ts)) WITHOUT ROWID;"
                    : "PRAGMA journal_mode=WAL; CREATE TABLE t (series INTEGER, ts INTEGER, value REAL);";
                setup.ExecuteNonQuery();
            }

            var t0 = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
            var sw = Stopwatch.StartNew();
            for (long i = 0; i < rows;)
            {
                using var tx = c.BeginTransaction();
                using var cmd = c.CreateCommand();
                cmd.Transaction = tx;
                cmd.CommandText = "INSERT INTO t VALUES ($s, $t, $v)";
                var s = cmd.Parameters.Add("$s", SqliteType.Integer);
                var t = cmd.Parameters.Add("$t", SqliteType.Integer);
                var v = cmd.Parameters.Add("$v", SqliteType.Real);
                cmd.Prepare();
                for (var k = 0; k < 5000 && i < rows; k++, i++)
                {
                    s.Value = i % 200;
                    t.Value = t0 + i;
                    v.Value = 20 + (i % 7) * 0.5;
                    cmd.ExecuteNonQuery();
                }

                tx.Commit();
            }

            return rows / sw.Elapsed.TotalSeconds;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            foreach (var f in new[] { path, path + "-wal", path + "-shm" })
            {
                File.Delete(f);
            }
        }
    }

    private static async Task<(double Seconds, long Records, List<double> LatencyMs)> RunOnceAsync(IngestBenchOptions o, IJobProgress progress)
    {
        var dir = Path.Combine(Path.GetTempPath(), "twin-bench-" + Guid.NewGuid().ToString("N"));
        var mqttPort = BenchSupport.FreePort();
        var httpPort = BenchSupport.FreePort();
        try
        {
            await using var app = TwinServiceHost.Build(["--mqtt-port", mqttPort.ToString(), "--http-port", httpPort.ToString(), "--data-dir", dir, "--Logging:LogLevel:Default", "Warning"]);
            await app.StartAsync();

            var payloads = Payloads(o);

            var connected = new List<IMqttClient>();
            for (var c = 0; c < o.Clients; c++)
            {
                var client = new MqttClientFactory().CreateMqttClient();
                await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", mqttPort).WithClientId($"bench-{c}").Build());
                connected.Add(client);
            }

            var latencies = new List<double>[o.Clients];
            long acknowledged = 0;
            var sw = Stopwatch.StartNew();
            await Task.WhenAll(connected.Select(async (client, c) =>
            {
                var mine = latencies[c] = new List<double>(o.Batches);
                using var window = new SemaphoreSlim(o.Inflight);
                var pending = new List<Task>();
                for (var b = 0; b < o.Batches; b++)
                {
                    await window.WaitAsync();
                    var message = new MqttApplicationMessageBuilder().WithTopic($"equipment/v1/bench/dev{c}/logs").WithPayload(payloads[c][b]).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
                    var start = Stopwatch.GetTimestamp();
                    pending.Add(client.PublishAsync(message).ContinueWith(t =>
                    {
                        lock (mine)
                        {
                            mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                        }

                        window.Release();
                        if (!t.IsCompletedSuccessfully || !t.Result.IsSuccess)
                        {
                            throw new InvalidOperationException("publish failed", t.Exception);
                        }

                        progress.Report(Interlocked.Add(ref acknowledged, o.Records));
                    }));
                }

                await Task.WhenAll(pending);
            }));
            sw.Stop();

            foreach (var client in connected)
            {
                await client.DisconnectAsync();
                client.Dispose();
            }

            await app.StopAsync();
            return (sw.Elapsed.TotalSeconds, (long)o.Clients * o.Batches * o.Records, latencies.SelectMany(l => l).ToList());
        }
        finally
        {
            BenchSupport.DeleteScratch(dir);
        }
    }

    private static byte[][][] Payloads(IngestBenchOptions o)
    {
        var t0 = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        var payloads = new byte[o.Clients][][];
        for (var c = 0; c < o.Clients; c++)
        {
            payloads[c] = new byte[o.Batches][];
            for (var b = 0; b < o.Batches; b++)
            {
                var recs = new LogRecord[o.Records];
                for (var r = 0; r < o.Records; r++)
                {
                    var ts = t0 + ((long)b * o.Records + r) * 1000;
                    recs[r] = r % 20 == 0
                        ? LogRecord.Event(ts, "MR-SEQ-020", Severity.Info, "Sequence started")
                        : LogRecord.Param(ts, "sig_" + (r % 19), 20 + (r % 7) * 0.5);
                }

                payloads[c][b] = WireCodec.EncodeLogs(new LogBatch($"bench-{c}", b + 1, recs));
            }
        }

        return payloads;
    }

    /// <summary>One run of the production shape: a fresh InfluxDB database and a fresh broker session per run.</summary>
    private static async Task<(double Seconds, long Records)> RunExternalOnceAsync(IngestBenchOptions o)
    {
        var dir = Path.Combine(Path.GetTempPath(), "twin-bench-" + Guid.NewGuid().ToString("N"));
        var id = Guid.NewGuid().ToString("N")[..8];
        var broker = new Uri(o.MqttUrl!);
        try
        {
            await using var app = TwinServiceHost.Build(["--http-port", BenchSupport.FreePort().ToString(), "--data-dir", dir, "--Logging:LogLevel:Default", "Warning",
                "--store", "influx", "--influx-url", o.InfluxUrl!, "--influx-db", "bench_" + id, "--mqtt-url", o.MqttUrl!, "--Mqtt:ClientId", "twin-bench-" + id, "--Analytics:Enabled", "false"]);
            await app.StartAsync();
            var store = app.Services.GetRequiredService<ITelemetryStore>();
            var payloads = Payloads(o);
            var connected = new List<IMqttClient>();
            for (var c = 0; c < o.Clients; c++)
            {
                var client = new MqttClientFactory().CreateMqttClient();
                await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer(broker.Host, broker.Port).WithClientId($"bench-{id}-{c}").Build());
                connected.Add(client);
            }

            // The subscription is in place once a probe nameplate has been stored.
            var deadline = Stopwatch.StartNew();
            while ((await store.GetCountersAsync(CancellationToken.None)).Nameplates == 0)
            {
                if (deadline.Elapsed > TimeSpan.FromSeconds(60))
                {
                    throw new TimeoutException("the service did not subscribe to the external broker within 60 s");
                }

                await connected[0].PublishAsync(new MqttApplicationMessageBuilder().WithTopic("equipment/v1/bench/dev0/nameplate")
                    .WithPayload("{\"modality\":\"mri\",\"vendor\":\"Bench\",\"model\":\"B1\"}").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
                await Task.Delay(200);
            }

            var expected = (long)o.Clients * o.Batches * o.Records;
            var sw = Stopwatch.StartNew();
            await Task.WhenAll(connected.Select(async (client, c) =>
            {
                for (var b = 0; b < o.Batches; b++)
                {
                    var message = new MqttApplicationMessageBuilder().WithTopic($"equipment/v1/bench/dev{c}/logs").WithPayload(payloads[c][b]).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
                    if (!(await client.PublishAsync(message)).IsSuccess)
                    {
                        throw new InvalidOperationException("publish failed");
                    }
                }
            }));
            while ((await store.GetCountersAsync(CancellationToken.None)).RecordsAccepted < expected)
            {
                if (sw.Elapsed > TimeSpan.FromMinutes(10))
                {
                    throw new TimeoutException("not every record was stored within 10 minutes");
                }

                await Task.Delay(20);
            }

            sw.Stop();
            foreach (var client in connected)
            {
                await client.DisconnectAsync();
                client.Dispose();
            }

            await app.StopAsync();
            return (sw.Elapsed.TotalSeconds, expected);
        }
        finally
        {
            BenchSupport.DeleteScratch(dir);
        }
    }
}
