using System.Net.Http.Json;
using System.Text.Json;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Service.Hosting;
using EquipmentTwin.Simulator.Output;
using EquipmentTwin.Testing;
using static EquipmentTwin.Simulator.Tests.TestFleets;

namespace EquipmentTwin.Simulator.Tests;

public class LiveModeTests
{
    [Fact]
    public async Task A_small_fleet_published_live_appears_in_the_store_and_the_api()
    {
        using var data = new TempDirectory("sim-live");
        var mqttPort = TestPorts.Free();
        var httpPort = TestPorts.Free();
        await using var app = TwinServiceHost.Build(["--mqtt-port", mqttPort.ToString(), "--http-port", httpPort.ToString(), "--data-dir", data.Path, "--Ingest:MaxFutureSkewMinutes", "0", "--Store:SynchronousFull", "false"]);
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}") };
        try
        {
            var fleet = Fleet(Device("mr1", Modality.Mri), Device("ct1", Modality.Ct));
            var sim = new Simulation.FleetSimulator(fleet, Library, Catalog, new Simulation.SimulationOptions { Start = Monday.AddHours(8), Days = 3 / 24.0, Detail = Simulation.SimulationDetail.Summary });
            var publisher = new LiveFleetPublisher(sim, new LivePublishOptions { Port = mqttPort, Acceleration = 1_000_000 }, TimeProvider.System);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var summary = await publisher.RunAsync(cts.Token);
            Assert.True(summary.Records > 100);

            var devices = await Eventually.HoldsAsync(
                () => http.GetFromJsonAsync<JsonElement>("/api/devices"),
                d => d.GetProperty("count").GetInt32() == 2 && d.GetProperty("devices").EnumerateArray().All(x => x.GetProperty("modality").ValueKind == JsonValueKind.String),
                TimeSpan.FromSeconds(15),
                "both simulated devices with their modality");
            var modalities = devices.GetProperty("devices").EnumerateArray().ToDictionary(x => x.GetProperty("id").GetString()!, x => x.GetProperty("modality").GetString());
            Assert.Equal("mri", modalities["mr1"]);
            Assert.Equal("ct", modalities["ct1"]);

            await Eventually.HoldsAsync(
                () => http.GetFromJsonAsync<JsonElement>("/api/ingest/stats"),
                s => s.GetProperty("recordsAccepted").GetInt64() == summary.Records && s.GetProperty("nameplates").GetInt64() >= 2,
                TimeSpan.FromSeconds(15),
                $"{summary.Records} records accepted");
        }
        finally
        {
            await app.StopAsync();
        }
    }
}
