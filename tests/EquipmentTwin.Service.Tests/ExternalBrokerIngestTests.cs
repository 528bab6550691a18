using EquipmentTwin.Testing;

namespace EquipmentTwin.Service.Tests;

/// <summary>The service subscribed to a real Mosquitto from Debian's package, as in production.</summary>
public class ExternalBrokerIngestTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private static string Batch(long seq) =>
        $$"""{"schema":"equipment-log/1","source":"edge-m","seq":{{seq}},"records":[{"ts":{{1795485600000 + seq * 60_000}},"type":"param","name":"he_level_pct","value":{{70 + seq * 0.01}}}]}""";

    private static Task<ServiceFixture> StartService(MosquittoBroker broker, string dataDir) =>
        ServiceFixture.StartAsync(dataDir: dataDir, mqttPort: broker.Port, extraArgs: ["--embedded-broker", "false", "--mqtt-host", "127.0.0.1", "--Mqtt:ClientId", "twin-test-ingest"]);

    private static Task WaitConnected(ServiceFixture service) =>
        Eventually.HoldsAsync(service.HealthAsync, h => h.GetProperty("components").GetProperty("broker").GetProperty("state").GetString() == "up", Wait, "service subscribed to mosquitto");

    private static Task<System.Text.Json.JsonElement> WaitRecords(ServiceFixture service, long expected) =>
        Eventually.HoldsAsync(service.StatsAsync, s => s.GetProperty("recordsAccepted").GetInt64() >= expected, Wait, $"{expected} records stored");

    [Fact]
    public async Task Messages_published_to_mosquitto_are_stored()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        using var dir = new TempDirectory();
        await using var service = await StartService(broker, dir.Path);
        await WaitConnected(service);

        using var device = await service.ConnectClientAsync("dev-m1", broker.Port);
        await ServiceFixture.PublishAsync(device, "equipment/v1/site1/ct01/nameplate", """{"modality":"ct","vendor":"Acme","model":"C64"}""");
        for (var seq = 1; seq <= 10; seq++)
        {
            await ServiceFixture.PublishAsync(device, "equipment/v1/site1/ct01/logs", Batch(seq));
        }

        await ServiceFixture.PublishAsync(device, "equipment/v1/site1/ct01/logs", Batch(3));
        await ServiceFixture.PublishAsync(device, "equipment/v1/site1/ct01/logs", "{broken");

        var stats = await Eventually.HoldsAsync(service.StatsAsync, s => s.GetProperty("duplicatesDropped").GetInt64() == 1 && s.GetProperty("rejected").GetInt64() == 1, Wait, "duplicate and reject counted");
        Assert.Equal(10, stats.GetProperty("recordsAccepted").GetInt64());
        var twin = await service.GetJsonAsync("/api/devices/ct01");
        Assert.Equal("ct", twin.GetProperty("nameplate").GetProperty("modality").GetString());
    }

    [Fact]
    public async Task Messages_published_while_the_service_is_down_arrive_when_it_returns()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        using var dir = new TempDirectory();
        var service = await StartService(broker, dir.Path);
        await WaitConnected(service);
        await service.DisposeAsync();

        using var publisher = await ConnectPublisher(broker.Port);
        for (var seq = 1; seq <= 25; seq++)
        {
            await ServiceFixture.PublishAsync(publisher, "equipment/v1/site1/mri01/logs", Batch(seq));
        }

        await using var back = await StartService(broker, dir.Path);
        var stats = await WaitRecords(back, 25);

        Assert.Equal(25, stats.GetProperty("recordsAccepted").GetInt64());
        Assert.Equal(25, stats.GetProperty("batchesAccepted").GetInt64());
    }

    [Fact]
    public async Task Service_reconnects_after_the_broker_restarts_and_loses_nothing()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        using var dir = new TempDirectory();
        await using var service = await StartService(broker, dir.Path);
        await WaitConnected(service);

        using (var publisher = await ConnectPublisher(broker.Port))
        {
            for (var seq = 1; seq <= 5; seq++)
            {
                await ServiceFixture.PublishAsync(publisher, "equipment/v1/site1/mri01/logs", Batch(seq));
            }
        }

        await WaitRecords(service, 5);
        await broker.StopAsync();
        await Eventually.HoldsAsync(service.HealthAsync, h => h.GetProperty("components").GetProperty("broker").GetProperty("state").GetString() == "down", Wait, "service sees the broker gone");
        await broker.RestartAsync();
        await WaitConnected(service);

        using (var publisher = await ConnectPublisher(broker.Port))
        {
            for (var seq = 6; seq <= 10; seq++)
            {
                await ServiceFixture.PublishAsync(publisher, "equipment/v1/site1/mri01/logs", Batch(seq));
            }
        }

        var stats = await WaitRecords(service, 10);
        Assert.Equal(10, stats.GetProperty("recordsAccepted").GetInt64());
    }

    private static async Task<MQTTnet.IMqttClient> ConnectPublisher(int port)
    {
        var client = new MQTTnet.MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(new MQTTnet.MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId("publisher-" + Guid.NewGuid().ToString("N")[..8]).Build());
        return client;
    }
}
