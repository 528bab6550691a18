using EquipmentTwin.Testing;
using Microsoft.Extensions.Options;

namespace EquipmentTwin.Service.Tests;

/// <summary>The service on a real influxd and a real Mosquitto (<c>--store influx --influx-url … --mqtt-url …</c>).</summary>
public sealed class InfluxStoreServiceTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    internal static string Batch(string source, long seq, int records = 1) =>
        $$"""{"schema":"equipment-log/1","source":"{{source}}","seq":{{seq}},"records":[{{string.Join(",", Enumerable.Range(0, records).Select(i => $$"""{"ts":{{1795485600000 + seq * 60_000 + i}},"type":"param","name":"he_level_pct","value":{{70 + seq * 0.01}}}"""))}}]}""";

    internal static Task<ServiceFixture> StartOnInflux(InfluxServer influx, MosquittoBroker broker, string dataDir, string database = "twin") =>
        ServiceFixture.StartAsync(dataDir: dataDir, mqttPort: broker.Port, extraArgs:
            ["--store", "influx", "--influx-url", influx.Url, "--influx-db", database, "--mqtt-url", $"mqtt://127.0.0.1:{broker.Port}", "--Mqtt:ClientId", "twin-influx-ingest"]);

    internal static Task WaitConnected(ServiceFixture service) =>
        Eventually.HoldsAsync(service.HealthAsync, h => h.GetProperty("components").GetProperty("broker").GetProperty("state").GetString() == "up", Wait, "service subscribed to mosquitto");

    [Fact]
    public async Task Records_published_to_mosquitto_land_in_influxdb_once()
    {
        await using var influx = await InfluxServer.StartAsync();
        await using var broker = await MosquittoBroker.StartAsync();
        using var dir = new TempDirectory();
        await using var service = await StartOnInflux(influx, broker, dir.Path);
        await WaitConnected(service);

        using var device = await service.ConnectClientAsync("dev-i1", broker.Port);
        await ServiceFixture.PublishAsync(device, "equipment/v1/site1/mri01/nameplate", """{"modality":"mri","vendor":"Acme","model":"M15"}""");
        for (var seq = 1; seq <= 20; seq++)
        {
            await ServiceFixture.PublishAsync(device, "equipment/v1/site1/mri01/logs", Batch("edge-i", seq));
        }

        await ServiceFixture.PublishAsync(device, "equipment/v1/site1/mri01/logs", Batch("edge-i", 4));
        await Eventually.HoldsAsync(service.StatsAsync, s => s.GetProperty("duplicatesDropped").GetInt64() == 1 && s.GetProperty("recordsAccepted").GetInt64() == 20, Wait, "20 records and one duplicate");

        Assert.Equal(20, await influx.CountAsync("twin", "telemetry", "he_level_pct"));
        var series = await service.GetJsonAsync("/api/devices/mri01/signals/he_level_pct?from=1795485600000&to=1795500000000");
        Assert.Equal(20, series.GetProperty("count").GetInt32());
        var health = await service.HealthAsync();
        Assert.Equal("up", health.GetProperty("components").GetProperty("store").GetProperty("state").GetString());
        Assert.Equal("influx", health.GetProperty("components").GetProperty("store").GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Influx_store_without_a_url_is_refused_at_start()
    {
        using var dir = new TempDirectory();
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => ServiceFixture.StartAsync(dataDir: dir.Path, extraArgs: ["--store", "influx"]));
        Assert.Contains("Influx:Url", error.Message);
    }
}
