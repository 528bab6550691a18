using System.Net.Http.Json;
using System.Text.Json;
using EquipmentTwin.Service.Hosting;
using EquipmentTwin.Testing;
using Microsoft.AspNetCore.Builder;

namespace EquipmentTwin.Edge.Tests;

/// <summary>The real twin service in-process (embedded broker, or subscribed to an external one) on loopback ports, keeping its data folder across restarts.</summary>
public sealed class TwinService : IAsyncDisposable
{
    private WebApplication? _app;

    private TwinService(int mqttPort, string dataDir, string[] extraArgs)
    {
        MqttPort = mqttPort;
        DataDir = dataDir;
        ExtraArgs = extraArgs;
    }

    public int MqttPort { get; }
    public int HttpPort { get; private set; }
    public string DataDir { get; }
    private string[] ExtraArgs { get; }
    public HttpClient Http { get; private set; } = new();

    public static async Task<TwinService> StartAsync(string dataDir, int? mqttPort = null, int? externalBrokerPort = null)
    {
        string[] extra = externalBrokerPort is { } b ? ["--embedded-broker", "false", "--mqtt-host", "127.0.0.1", "--Mqtt:ClientId", "twin-edge-test-ingest"] : [];
        var service = new TwinService(externalBrokerPort ?? mqttPort ?? TestPorts.Free(), dataDir, extra);
        await service.RestartAsync();
        return service;
    }

    public async Task RestartAsync()
    {
        HttpPort = TestPorts.Free();
        string[] args = ["--mqtt-port", MqttPort.ToString(), "--http-port", HttpPort.ToString(), "--data-dir", DataDir, "--Catalog:Directory", RepoPaths.Catalog,
            "--Analytics:RulesDirectory", Path.Combine(RepoPaths.Root, "config", "rules"), "--Analytics:PhysicsDirectory", Path.Combine(RepoPaths.Root, "config", "physics"),
            "--Analytics:ModelsDirectory", Path.Combine(RepoPaths.Root, "models"), .. ExtraArgs];
        // An agent that keeps reconnecting to a port nobody listens on can briefly hold that very port itself (a TCP
        // self-connect on loopback when the kernel picks the target port as the ephemeral source port); the port is
        // free again once that connection drops, so binding is retried for a while rather than failing the test.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            _app = TwinServiceHost.Build(args);
            try
            {
                await _app.StartAsync();
                break;
            }
            catch (System.Net.Sockets.SocketException e) when (e.SocketErrorCode == System.Net.Sockets.SocketError.AddressAlreadyInUse && DateTime.UtcNow < deadline)
            {
                await _app.DisposeAsync();
                await Task.Delay(200);
            }
        }

        Http.Dispose();
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{HttpPort}") };
        if (ExtraArgs.Length > 0)
        {
            await Eventually.HoldsAsync(() => GetJsonAsync("/health"), h => h.GetProperty("components").GetProperty("broker").GetProperty("state").GetString() == "up",
                TimeSpan.FromSeconds(30), "service subscribed to the external broker");
        }
    }

    public async Task StopAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _app = null;
        }
    }

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await Http.GetAsync(path);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public async Task<long> RecordsAcceptedAsync() => (await GetJsonAsync("/api/ingest/stats")).GetProperty("recordsAccepted").GetInt64();

    /// <summary>Waits until the service holds exactly <paramref name="expected"/> records and the agent has nothing left to send, then returns the count.</summary>
    public async Task<long> WaitForExactlyAsync(long expected, Func<Task<bool>> agentDrained, TimeSpan timeout)
    {
        await Eventually.HoldsAsync(async () => (await RecordsAcceptedAsync(), await agentDrained()), r => r.Item1 >= expected && r.Item2, timeout, $"{expected} records stored and the agent drained");
        return await RecordsAcceptedAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Http.Dispose();
    }
}
