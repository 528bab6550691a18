using System.Text.Json;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Storage.Sqlite;
using EquipmentTwin.Testing;
using MQTTnet;
using MQTTnet.Protocol;
using Xunit.Abstractions;

namespace EquipmentTwin.EndToEnd.Tests;

/// <summary><c>twin serve --store influx</c> on a real influxd and Mosquitto, killed with SIGKILL in the middle of ingest.</summary>
public sealed class InfluxKillTests(ITestOutputHelper output)
{
    private const int Publishers = 2;
    private const int Batches = 300;
    private const int PerBatch = 40;
    private static readonly long T0 = new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    private static string Device(int p) => $"mri-kill-{p}";

    private static double Value(int p, long k) => Math.Round(p * 100 + (k % 997) * 0.01, 2);

    private static MqttApplicationMessage Message(int p, int seq) =>
        new MqttApplicationMessageBuilder().WithTopic($"equipment/v1/kill/{Device(p)}/logs")
            .WithPayload(WireCodec.EncodeLogs(new LogBatch($"kill-{p}", seq, Enumerable.Range(0, PerBatch).Select(i =>
            {
                var k = (long)(seq - 1) * PerBatch + i;
                return LogRecord.Param(T0 + k * 1_000, "he_level_pct", Value(p, k));
            }).ToArray())))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();

    private static string[] Args(InfluxServer influx, MosquittoBroker broker) =>
        ["--store", "influx", "--influx-url", influx.Url, "--influx-db", "twin", "--mqtt-url", $"mqtt://127.0.0.1:{broker.Port}",
         "--Mqtt:ClientId", "twin-kill", "--Analytics:Enabled", "false"];

    private static async Task<long> StoredBatches(TwinProcess twin) => (await twin.GetJsonAsync("/api/ingest/stats")).GetProperty("batchesAccepted").GetInt64();

    [Fact]
    public async Task Kill_9_mid_batch_on_influxdb_is_redelivered_by_mosquitto_and_stored_exactly_once()
    {
        await using var influx = await InfluxServer.StartAsync();
        await using var broker = await MosquittoBroker.StartAsync();
        using var data = new TempDirectory("influx-kill");
        long storedAtKill;

        await using (var first = await TwinProcess.StartAsync(data.Path, broker.Port, Args(influx, broker)))
        {
            await Eventually.HoldsAsync(() => first.GetJsonAsync("/health"), h => h.GetProperty("components").GetProperty("broker").GetProperty("state").GetString() == "up", TimeSpan.FromSeconds(30), "subscribed");

            // Mosquitto acknowledges every batch to the publishers: all of them must end up in InfluxDB. The service is
            // killed while they are still publishing and it is writing. The second half of each publisher's batches waits
            // for the kill, so on a machine fast enough to store the first half at once some batches still come after it.
            var killed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var publishers = Enumerable.Range(0, Publishers).Select(p => Task.Run(async () =>
            {
                using var client = new MqttClientFactory().CreateMqttClient();
                await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", broker.Port).WithClientId($"kill-pub-{p}").Build());
                for (var seq = 1; seq <= Batches; seq++)
                {
                    if (seq == Batches / 2 + 1)
                    {
                        await killed.Task;
                    }

                    Assert.True((await client.PublishAsync(Message(p, seq))).IsSuccess);
                }
            })).ToArray();

            storedAtKill = await Eventually.HoldsAsync(() => StoredBatches(first), n => n >= 20, TimeSpan.FromSeconds(90), "the first 20 batches stored");
            await first.KillAsync();
            killed.SetResult();
            await Task.WhenAll(publishers);
            await first.KillAsync();
        }

        // What the killed process committed: the metadata store says which batches it had taken.
        long committed;
        await using (var meta = SqliteTelemetryStore.Open(data.Path, keepTimeSeries: false))
        {
            committed = (await meta.GetCountersAsync(CancellationToken.None)).BatchesAccepted;
        }

        Assert.InRange(committed, storedAtKill, Publishers * Batches - 1);

        await using (var second = await TwinProcess.StartAsync(data.Path, broker.Port, Args(influx, broker)))
        {
            var stats = await Eventually.HoldsAsync(() => second.GetJsonAsync("/api/ingest/stats"), s => s.GetProperty("batchesAccepted").GetInt64() >= Publishers * Batches, TimeSpan.FromSeconds(120), "every batch stored after the restart");
            Assert.Equal(Publishers * Batches, stats.GetProperty("batchesAccepted").GetInt64());
            Assert.Equal((long)Publishers * Batches * PerBatch, stats.GetProperty("recordsAccepted").GetInt64());
            output.WriteLine($"killed with {committed} of {Publishers * Batches} batches committed; {stats.GetProperty("duplicatesDropped").GetInt64()} redelivered batches dropped as duplicates after the restart");
            await second.StopAsync();
        }

        using var doc = JsonDocument.Parse(await influx.QueryAsync("twin", "SELECT \"he_level_pct\", \"device\" FROM \"telemetry\" WHERE time > 0"));
        var rows = doc.RootElement.GetProperty("results")[0].GetProperty("series")[0].GetProperty("values").EnumerateArray()
            .Select(v => (Device: v[2].GetString()!, Ts: v[0].GetInt64(), Value: Math.Round(v[1].GetDouble(), 2))).ToList();
        Assert.Equal(Publishers * Batches * PerBatch, rows.Count);
        Assert.Equal(rows.Count, rows.Select(r => (r.Device, r.Ts)).Distinct().Count());
        var expected = Enumerable.Range(0, Publishers).SelectMany(p => Enumerable.Range(0, Batches * PerBatch).Select(k => (Device(p), T0 + k * 1_000L, Value(p, k)))).ToHashSet();
        Assert.True(expected.SetEquals(rows), "the readings in InfluxDB differ from the ones sent");
    }
}
