using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Service.Hosting;
using MQTTnet;
using MQTTnet.Protocol;

namespace EquipmentTwin.Cli.Bench;

/// <summary>
/// <c>twin bench ingest</c>: the real service in-process on loopback (embedded broker, SQLite in a temp
/// folder), K MQTT clients each publishing B batches of R records at QoS 1, each waiting for its PUBACK
/// (which the service sends after commit). Reports records/s and batches/s per run and the median.
/// </summary>
public static class IngestBench
{
    public static async Task<int> RunAsync(IngestBenchSettings settings, CancellationToken cancellationToken)
    {
        var (clients, batches, records, inflight, runs) = settings;
        Console.WriteLine($"ingest bench: {clients} clients x {batches} batches x {records} records, QoS 1, {inflight} in flight per client, {runs} runs");

        var rates = new List<double>();
        for (var run = 1; run <= runs; run++)
        {
            var (seconds, total) = await RunOnceAsync(clients, batches, records, inflight);
            var rate = total / seconds;
            rates.Add(rate);
            Console.WriteLine($"run {run}: {total:N0} records in {seconds:0.00} s = {rate:N0} records/s, {clients * batches / seconds:N0} batches/s");
        }

        rates.Sort();
        Console.WriteLine($"median: {rates[rates.Count / 2]:N0} records/s");
        return 0;
    }

    private static async Task<(double Seconds, long Records)> RunOnceAsync(int clients, int batches, int records, int inflight)
    {
        var dir = Path.Combine(Path.GetTempPath(), "twin-bench-" + Guid.NewGuid().ToString("N"));
        var mqttPort = FreePort();
        var httpPort = FreePort();
        try
        {
            await using var app = TwinServiceHost.Build(["--mqtt-port", mqttPort.ToString(), "--http-port", httpPort.ToString(), "--data-dir", dir, "--Logging:LogLevel:Default", "Warning"]);
            await app.StartAsync();

            var t0 = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
            var payloads = new byte[clients][][];
            for (var c = 0; c < clients; c++)
            {
                payloads[c] = new byte[batches][];
                for (var b = 0; b < batches; b++)
                {
                    var recs = new LogRecord[records];
                    for (var r = 0; r < records; r++)
                    {
                        var ts = t0 + ((long)b * records + r) * 1000;
                        recs[r] = r % 20 == 0
                            ? LogRecord.Event(ts, "MR-SEQ-020", Severity.Info, "Sequence started")
                            : LogRecord.Param(ts, "sig_" + (r % 19), 20 + (r % 7) * 0.5);
                    }

                    payloads[c][b] = WireCodec.EncodeLogs(new LogBatch($"bench-{c}", b + 1, recs));
                }
            }

            var connected = new List<IMqttClient>();
            for (var c = 0; c < clients; c++)
            {
                var client = new MqttClientFactory().CreateMqttClient();
                await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", mqttPort).WithClientId($"bench-{c}").Build());
                connected.Add(client);
            }

            var sw = Stopwatch.StartNew();
            await Task.WhenAll(connected.Select(async (client, c) =>
            {
                using var window = new SemaphoreSlim(inflight);
                var pending = new List<Task>();
                for (var b = 0; b < batches; b++)
                {
                    await window.WaitAsync();
                    var message = new MqttApplicationMessageBuilder().WithTopic($"equipment/v1/bench/dev{c}/logs").WithPayload(payloads[c][b]).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
                    pending.Add(client.PublishAsync(message).ContinueWith(t =>
                    {
                        window.Release();
                        if (!t.IsCompletedSuccessfully || !t.Result.IsSuccess)
                        {
                            throw new InvalidOperationException("publish failed", t.Exception);
                        }
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
            return (sw.Elapsed.TotalSeconds, (long)clients * batches * records);
        }
        finally
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}

/// <summary>The shape of one <c>twin bench ingest</c> run.</summary>
public sealed record IngestBenchSettings(int Clients, int Batches, int Records, int Inflight, int Runs);
