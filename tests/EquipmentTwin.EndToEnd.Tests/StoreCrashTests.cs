using System.Collections.Concurrent;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Storage;
using EquipmentTwin.Storage.Sqlite;
using EquipmentTwin.Testing;
using MQTTnet;
using MQTTnet.Protocol;

namespace EquipmentTwin.EndToEnd.Tests;

/// <summary>The chunked telemetry layout across a SIGKILL in the middle of ingest.</summary>
public sealed class StoreCrashTests
{
    private const int Publishers = 3;
    private const int Batches = 400;
    private const int Signals = 8;
    private const int PerSignal = 25;
    private static readonly long T0 = new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    private static string Device(int p) => $"mri-crash-{p}";

    /// <summary>Batch <paramref name="seq"/> of publisher <paramref name="p"/>: 25 readings of 8 signals, 10 s apart, a value that encodes where it came from.</summary>
    private static LogRecord[] Records(int p, int seq) =>
        Enumerable.Range(0, Signals * PerSignal).Select(i =>
        {
            var k = (long)(seq - 1) * PerSignal + (i / Signals);
            return LogRecord.Param(T0 + k * 10_000, "sig_" + (i % Signals), Value(p, k, i % Signals));
        }).ToArray();

    private static double Value(int p, long k, int signal) => Math.Round(p * 100 + signal * 10 + (k % 997) * 0.01, 2);

    private static async Task<IMqttClient> ConnectAsync(int port, string id)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId(id).Build());
        return client;
    }

    private static MqttApplicationMessage Message(int p, int seq) =>
        new MqttApplicationMessageBuilder().WithTopic($"equipment/v1/crash/{Device(p)}/logs")
            .WithPayload(WireCodec.EncodeLogs(new LogBatch($"crash-{p}", seq, Records(p, seq))))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();

    [Fact]
    public async Task Kill_9_during_ingest_loses_no_acknowledged_reading_and_duplicates_none_after_restart()
    {
        using var data = new TempDirectory("crash");
        var acked = new ConcurrentDictionary<(int, int), bool>();
        var mqttPort = TestPorts.Free();
        await using (var first = await TwinProcess.StartAsync(data.Path, mqttPort))
        {
            using var stop = new CancellationTokenSource();
            var publishers = Enumerable.Range(0, Publishers).Select(p => Task.Run(async () =>
            {
                using var client = await ConnectAsync(mqttPort, $"crash-{p}");
                for (var seq = 1; seq <= Batches && !stop.IsCancellationRequested; seq++)
                {
                    try
                    {
                        var result = await client.PublishAsync(Message(p, seq));
                        if (result.IsSuccess)
                        {
                            acked[(p, seq)] = true;
                        }
                    }
                    catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException or InvalidOperationException)
                    {
                        return;
                    }
                }
            })).ToArray();

            // Enough acknowledged batches that open chunks have been sealed at least once per series, then kill mid-stream.
            await Eventually.HoldsAsync(() => Task.FromResult(acked.Count), n => n >= 150, TimeSpan.FromSeconds(90), "150 acknowledged batches");
            await first.KillAsync();
            stop.Cancel();
            await Task.WhenAll(publishers);
        }

        Assert.True(acked.Count < Publishers * Batches, "the kill came after every batch was sent; nothing was in flight");
        await using (var store = SqliteTelemetryStore.Open(data.Path))
        {
            for (var p = 0; p < Publishers; p++)
            {
                for (var s = 0; s < Signals; s++)
                {
                    var points = await store.QuerySignalAsync(Device(p), "sig_" + s, DateTimeOffset.FromUnixTimeMilliseconds(T0), DateTimeOffset.FromUnixTimeMilliseconds(T0 + 86_400_000L * 30), 1_000_000, CancellationToken.None);
                    Assert.Equal(points.Count, points.Select(x => x.TimestampMs).Distinct().Count());
                    var byTs = points.ToDictionary(x => x.TimestampMs, x => x.Value);
                    foreach (var ((pp, seq), _) in acked.Where(a => a.Key.Item1 == p))
                    {
                        for (var j = 0; j < PerSignal; j++)
                        {
                            var k = (long)(seq - 1) * PerSignal + j;
                            Assert.True(byTs.TryGetValue(T0 + k * 10_000, out var v), $"acknowledged batch {seq} of publisher {pp} lost reading {j} of sig_{s}");
                            Assert.Equal(Value(pp, k, s), v);
                        }
                    }
                }
            }
        }

        // After a restart every batch is sent again: those stored before the kill are duplicates, the rest is stored once.
        await using (var second = await TwinProcess.StartAsync(data.Path, mqttPort))
        {
            for (var p = 0; p < Publishers; p++)
            {
                using var client = await ConnectAsync(mqttPort, $"crash-again-{p}");
                for (var seq = 1; seq <= Batches; seq++)
                {
                    Assert.True((await client.PublishAsync(Message(p, seq))).IsSuccess);
                }
            }

            var stats = await second.GetJsonAsync("/api/ingest/stats");
            Assert.Equal(Publishers * Batches, stats.GetProperty("batchesAccepted").GetInt64());
            Assert.Equal((long)Publishers * Batches * Signals * PerSignal, stats.GetProperty("recordsAccepted").GetInt64());
            Assert.True(stats.GetProperty("duplicatesDropped").GetInt64() >= acked.Count);
            await second.StopAsync();
        }

        await using (var store = SqliteTelemetryStore.Open(data.Path))
        {
            for (var p = 0; p < Publishers; p++)
            {
                for (var s = 0; s < Signals; s++)
                {
                    var points = await store.QuerySignalAsync(Device(p), "sig_" + s, DateTimeOffset.FromUnixTimeMilliseconds(T0), DateTimeOffset.FromUnixTimeMilliseconds(T0 + 86_400_000L * 30), 1_000_000, CancellationToken.None);
                    Assert.Equal(Batches * PerSignal, points.Count);
                    Assert.Equal(Enumerable.Range(0, Batches * PerSignal).Select(k => T0 + k * 10_000L), points.Select(x => x.TimestampMs));
                    Assert.Equal(Enumerable.Range(0, Batches * PerSignal).Select(k => Value(p, k, s)), points.Select(x => x.Value));
                }
            }
        }
    }
}
