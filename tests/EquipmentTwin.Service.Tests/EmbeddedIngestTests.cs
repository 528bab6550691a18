using EquipmentTwin.Storage;
using EquipmentTwin.Storage.Sqlite;
using EquipmentTwin.Testing;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;

namespace EquipmentTwin.Service.Tests;

public class EmbeddedIngestTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private const string Topic = "equipment/v1/site1/mri01/logs";

    private static string Batch(string source, long seq, int minute, double value) =>
        $$"""{"schema":"equipment-log/1","source":"{{source}}","seq":{{seq}},"records":[{"ts":"2026-11-24T02:{{minute:00}}:00.000Z","type":"param","name":"he_level_pct","value":{{value}}}]}""";

    private static (Action<IServiceCollection> Configure, Func<GatedStore> Store) Gated(string dataDir)
    {
        GatedStore? store = null;
        return (s => s.AddSingleton<ITelemetryStore>(_ => store = new GatedStore(SqliteTelemetryStore.Open(dataDir))), () => store!);
    }

    [Fact]
    public async Task Publish_is_acknowledged_only_after_the_store_committed_it()
    {
        using var dir = new TempDirectory();
        var (configure, store) = Gated(dir.Path);
        await using var service = await ServiceFixture.StartAsync(configure, dir.Path);
        using var client = await service.ConnectClientAsync("device-a");

        store().Close();
        var publish = ServiceFixture.PublishAsync(client, Topic, Batch("edge-a", 1, 0, 71.2));
        await Eventually.HoldsAsync(() => Volatile.Read(ref store().WriteAttempts) >= 1, Wait, "the write to start");

        Assert.False(publish.IsCompleted, "PUBACK arrived before the store committed");
        Assert.Equal(0, (await service.StatsAsync()).GetProperty("recordsAccepted").GetInt64());

        store().Release();
        var result = await publish.WaitAsync(Wait);

        Assert.True(result.IsSuccess);
        Assert.Equal(1, (await service.StatsAsync()).GetProperty("recordsAccepted").GetInt64());
    }

    [Fact]
    public async Task Store_failure_is_retried_and_the_message_is_stored_once()
    {
        using var dir = new TempDirectory();
        var (configure, store) = Gated(dir.Path);
        await using var service = await ServiceFixture.StartAsync(configure, dir.Path);
        using var client = await service.ConnectClientAsync("device-a");

        store().FailNext(2);
        var result = await ServiceFixture.PublishAsync(client, Topic, Batch("edge-a", 1, 0, 71.2)).WaitAsync(Wait);

        Assert.True(result.IsSuccess);
        Assert.Equal(3, store().WriteAttempts);
        var stats = await service.StatsAsync();
        Assert.Equal(1, stats.GetProperty("batchesAccepted").GetInt64());
        Assert.Equal(0, stats.GetProperty("writeFailures").GetInt64());
    }

    [Fact]
    public async Task Malformed_messages_among_valid_ones_from_many_clients_lose_no_valid_message()
    {
        await using var service = await ServiceFixture.StartAsync();
        const int Clients = 4;
        const int PerClient = 50;
        var clients = new List<IMqttClient>();
        for (var c = 0; c < Clients; c++)
        {
            clients.Add(await service.ConnectClientAsync($"device-{c}"));
        }

        // Five kinds of bad payload; kind 2 is a well-formed batch whose only record is bad, so it still takes its (source, seq).
        static string Garbage(int kind, long seq) => kind switch
        {
            0 => "{\"schema\":",
            1 => "[]",
            2 => $$"""{"schema":"equipment-log/1","source":"bad-src","seq":{{seq}},"records":[{"ts":"nope","type":"param","name":"a","value":1}]}""",
            3 => "\u0001\u0002",
            _ => "{\"schema\":\"v0\"}",
        };

        var tasks = clients.Select(async (client, c) =>
        {
            for (var i = 0; i < PerClient; i++)
            {
                await ServiceFixture.PublishAsync(client, $"equipment/v1/site1/dev{c}/logs", Batch($"src{c}", i + 1, i % 60, 70 + i * 0.01));
                await ServiceFixture.PublishAsync(client, $"equipment/v1/site1/dev{c}/logs", Garbage((c + i) % 5, c * 1000 + i));
            }
        }).ToList();
        await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(60));

        var badRecordBatches = Enumerable.Range(0, Clients).Sum(c => Enumerable.Range(0, PerClient).Count(i => (c + i) % 5 == 2));
        var stats = await service.StatsAsync();
        Assert.Equal(Clients * PerClient + badRecordBatches, stats.GetProperty("batchesAccepted").GetInt64());
        Assert.Equal(Clients * PerClient, stats.GetProperty("recordsAccepted").GetInt64());
        Assert.Equal(Clients * PerClient, stats.GetProperty("rejected").GetInt64());
        var quarantine = await service.GetJsonAsync("/api/quarantine?limit=1000");
        Assert.Equal(Clients * PerClient, quarantine.GetProperty("count").GetInt32());
        for (var c = 0; c < Clients; c++)
        {
            var points = await service.GetJsonAsync($"/api/devices/dev{c}/signals/he_level_pct?from=2026-11-24T00:00:00Z&to=2026-11-25T00:00:00Z");
            Assert.Equal(PerClient, points.GetProperty("count").GetInt32());
        }

        Assert.Equal("healthy", (await service.GetJsonAsync("/health")).GetProperty("status").GetString());
        foreach (var client in clients)
        {
            client.Dispose();
        }
    }

    [Fact]
    public async Task Device_reconnecting_at_once_with_the_same_client_id_loses_nothing()
    {
        await using var service = await ServiceFixture.StartAsync();

        // Debian's mosquitto_pub: connect, publish, disconnect, exit; the next one takes over the same client id at once.
        var exe = ExternalProcess.Require("mosquitto_pub", "mosquitto-clients");
        for (var seq = 1; seq <= 30; seq++)
        {
            var (code, output) = await ExternalProcess.RunAsync(exe, ["-h", "127.0.0.1", "-p", service.MqttPort.ToString(), "-q", "1", "-i", "same-id", "-t", Topic, "-m", Batch("edge-a", seq, seq % 60, 70)], TimeSpan.FromSeconds(20));
            Assert.True(code == 0, $"publish {seq}: exit {code}: {output}");
        }

        Assert.Equal(30, (await service.StatsAsync()).GetProperty("batchesAccepted").GetInt64());
    }

    [Fact]
    public async Task Service_restarted_on_the_same_data_keeps_data_twins_and_dedup()
    {
        using var dir = new TempDirectory();
        var mqttPort = TestPorts.Free();
        await using (var first = await ServiceFixture.StartAsync(dataDir: dir.Path, mqttPort: mqttPort))
        {
            using var client = await first.ConnectClientAsync("device-a");
            await ServiceFixture.PublishAsync(client, "equipment/v1/site1/mri01/nameplate", """{"modality":"mri","vendor":"Acme","model":"M15"}""");
            await ServiceFixture.PublishAsync(client, Topic, Batch("edge-a", 1, 0, 71.2));
        }

        await using var second = await ServiceFixture.StartAsync(dataDir: dir.Path, mqttPort: mqttPort);
        var device = await second.GetJsonAsync("/api/devices/mri01");
        Assert.Equal("mri", device.GetProperty("nameplate").GetProperty("modality").GetString());
        Assert.Equal(71.2, device.GetProperty("latest").GetProperty("he_level_pct").GetProperty("value").GetDouble());

        using var again = await second.ConnectClientAsync("device-a");
        await ServiceFixture.PublishAsync(again, Topic, Batch("edge-a", 1, 0, 71.2));
        var stats = await second.StatsAsync();
        Assert.Equal(1, stats.GetProperty("duplicatesDropped").GetInt64());
        Assert.Equal(1, stats.GetProperty("recordsAccepted").GetInt64());
    }

    [Fact]
    public async Task Unknown_device_and_bad_query_give_clear_http_errors()
    {
        await using var service = await ServiceFixture.StartAsync();

        using var missing = await service.Http.GetAsync("/api/devices/nope");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("nope", await missing.Content.ReadAsStringAsync());

        using var client = await service.ConnectClientAsync("device-a");
        await ServiceFixture.PublishAsync(client, Topic, Batch("edge-a", 1, 0, 71.2));
        using var bad = await service.Http.GetAsync("/api/devices/mri01/signals/he_level_pct?from=yesterday");
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("from", await bad.Content.ReadAsStringAsync());
    }
}
