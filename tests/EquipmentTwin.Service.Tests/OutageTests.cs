using System.Text.Json;
using EquipmentTwin.Testing;
using MQTTnet;

namespace EquipmentTwin.Service.Tests;

/// <summary>
/// Outages of the real servers under the service on InfluxDB and Mosquitto: influxd stopped while data keeps arriving,
/// Mosquitto restarted while the service is away. Each counts sent = stored, none lost, none stored twice.
/// </summary>
public sealed class OutageTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private const string Topic = "equipment/v1/site1/mri01/logs";
    private const int RecordsPerBatch = 5;

    private static string Batch(string source, long seq) => InfluxStoreServiceTests.Batch(source, seq, RecordsPerBatch);

    private static Task<ServiceFixture> Start(InfluxServer influx, MosquittoBroker broker, string dataDir, string clientId) =>
        ServiceFixture.StartAsync(dataDir: dataDir, mqttPort: broker.Port, extraArgs:
        [
            "--store", "influx", "--influx-url", influx.Url, "--influx-db", "twin", "--mqtt-url", $"mqtt://127.0.0.1:{broker.Port}",
            "--Mqtt:ClientId", clientId, "--Analytics:Enabled", "false",
            // A short retry budget: the outage outlasts it many times over, so what is tested is the path taken after
            // retries run out (messages left unacknowledged, redelivered by the broker), which does not depend on how long
            // the outage lasts.
            "--Store:WriteRetries", "2", "--Store:WriteRetryMaxDelaySeconds", "0.5",
        ]);

    private static async Task<IMqttClient> Publisher(int port, string id)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId(id).Build());
        return client;
    }

    /// <summary>Every reading of batches 1..n of <paramref name="source"/> as (timestamp, value), the way Batch writes them.</summary>
    private static HashSet<(long, double)> Expected(string source, int n) =>
        Enumerable.Range(1, n).SelectMany(seq => Enumerable.Range(0, RecordsPerBatch).Select(i => (1795485600000L + seq * 60_000L + i, Math.Round(70 + seq * 0.01, 2)))).ToHashSet();

    private static async Task<List<(long, double)>> StoredReadings(InfluxServer influx)
    {
        using var doc = JsonDocument.Parse(await influx.QueryAsync("twin", "SELECT \"he_level_pct\" FROM \"telemetry\" WHERE time > 0"));
        var result = doc.RootElement.GetProperty("results")[0];
        if (!result.TryGetProperty("series", out var series))
        {
            return [];
        }

        return series[0].GetProperty("values").EnumerateArray().Select(v => (v[0].GetInt64(), Math.Round(v[1].GetDouble(), 2))).ToList();
    }

    [Fact]
    public async Task Influxd_stopped_while_data_arrives_loses_nothing_the_broker_acknowledged_and_stores_it_once_when_back()
    {
        await using var influx = await InfluxServer.StartAsync();
        await using var broker = await MosquittoBroker.StartAsync();
        using var dir = new TempDirectory();
        await using var service = await Start(influx, broker, dir.Path, "twin-outage-influx");
        await InfluxStoreServiceTests.WaitConnected(service);
        using var publisher = await Publisher(broker.Port, "outage-pub");

        for (var seq = 1; seq <= 10; seq++)
        {
            Assert.True((await ServiceFixture.PublishAsync(publisher, Topic, Batch("edge-o", seq))).IsSuccess);
        }

        await Eventually.HoldsAsync(service.StatsAsync, s => s.GetProperty("batchesAccepted").GetInt64() == 10, Wait, "10 batches stored before the outage");
        await influx.StopAsync();

        // The broker acknowledges each of these to the publisher: from here on they are the service's to keep.
        for (var seq = 11; seq <= 60; seq++)
        {
            Assert.True((await ServiceFixture.PublishAsync(publisher, Topic, Batch("edge-o", seq))).IsSuccess);
        }

        // Several failed write rounds, each ending with the messages unacknowledged and the subscription dropped and
        // taken up again: the state the service stays in however long influxd is away.
        var down = await Eventually.HoldsAsync(service.StatsAsync, h => h.GetProperty("writeFailures").GetInt64() >= 3, Wait, "three failed write rounds");
        Assert.Equal(10, (await service.StatsAsync()).GetProperty("batchesAccepted").GetInt64());
        Assert.True(down.GetProperty("writeFailures").GetInt64() >= 3);

        await influx.RestartAsync();
        var stats = await Eventually.HoldsAsync(service.StatsAsync, s => s.GetProperty("batchesAccepted").GetInt64() >= 60, Wait, "all 60 batches stored after influxd returned");

        Assert.Equal(60, stats.GetProperty("batchesAccepted").GetInt64());
        Assert.Equal(60 * RecordsPerBatch, stats.GetProperty("recordsAccepted").GetInt64());
        var stored = await StoredReadings(influx);
        Assert.Equal(60 * RecordsPerBatch, stored.Count);
        Assert.Equal(stored.Count, stored.Select(r => r.Item1).Distinct().Count());
        Assert.True(Expected("edge-o", 60).SetEquals(stored), "the stored readings differ from the ones sent");
    }

    [Fact]
    public async Task Mosquitto_restarted_keeps_the_services_session_and_the_messages_queued_for_it()
    {
        await using var influx = await InfluxServer.StartAsync();
        await using var broker = await MosquittoBroker.StartAsync();
        using var dir = new TempDirectory();
        var service = await Start(influx, broker, dir.Path, "twin-outage-mosquitto");
        await InfluxStoreServiceTests.WaitConnected(service);
        await service.DisposeAsync();

        // The service is away: Mosquitto queues these for its persistent session.
        using (var publisher = await Publisher(broker.Port, "outage-pub-1"))
        {
            for (var seq = 1; seq <= 30; seq++)
            {
                Assert.True((await ServiceFixture.PublishAsync(publisher, Topic, Batch("edge-q", seq))).IsSuccess);
            }
        }

        await broker.StopAsync();
        Assert.True(File.Exists(broker.PersistenceFile), "mosquitto saved no persistence file");
        await broker.RestartAsync();

        // And a few more after the restart, still queued for the absent service.
        using (var publisher = await Publisher(broker.Port, "outage-pub-2"))
        {
            for (var seq = 31; seq <= 40; seq++)
            {
                Assert.True((await ServiceFixture.PublishAsync(publisher, Topic, Batch("edge-q", seq))).IsSuccess);
            }
        }

        await using var back = await Start(influx, broker, dir.Path, "twin-outage-mosquitto");
        var stats = await Eventually.HoldsAsync(back.StatsAsync, s => s.GetProperty("batchesAccepted").GetInt64() >= 40, Wait, "the 40 queued batches stored");

        Assert.Equal(40, stats.GetProperty("batchesAccepted").GetInt64());
        Assert.Equal(0, stats.GetProperty("duplicatesDropped").GetInt64());
        var stored = await StoredReadings(influx);
        Assert.Equal(40 * RecordsPerBatch, stored.Count);
        Assert.True(Expected("edge-q", 40).SetEquals(stored), "the stored readings differ from the ones sent");
    }
}
