using System.Net.Http.Json;
using System.Text.Json;
using EquipmentTwin.Service.Hosting;
using EquipmentTwin.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Protocol;

namespace EquipmentTwin.Service.Tests;

/// <summary>The real service in-process on free loopback ports, with a data folder of its own.</summary>
public sealed class ServiceFixture : IAsyncDisposable
{
    private readonly TempDirectory? _ownDir;

    private ServiceFixture(WebApplication app, int mqttPort, int httpPort, string dataDir, TempDirectory? ownDir)
    {
        App = app;
        MqttPort = mqttPort;
        HttpPort = httpPort;
        DataDir = dataDir;
        _ownDir = ownDir;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}") };
    }

    public WebApplication App { get; }
    public int MqttPort { get; }
    public int HttpPort { get; }
    public string DataDir { get; }
    public HttpClient Http { get; }

    public static async Task<ServiceFixture> StartAsync(Action<IServiceCollection>? configure = null, string? dataDir = null, int? mqttPort = null, params string[] extraArgs)
    {
        var own = dataDir is null ? new TempDirectory("service") : null;
        var dir = dataDir ?? own!.Path;
        var mqtt = mqttPort ?? TestPorts.Free();
        var http = TestPorts.Free();
        string[] args = ["--mqtt-port", mqtt.ToString(), "--http-port", http.ToString(), "--data-dir", dir, "--Catalog:Directory", RepoPaths.Catalog,
            "--Analytics:RulesDirectory", Path.Combine(RepoPaths.Root, "config", "rules"), "--Analytics:PhysicsDirectory", Path.Combine(RepoPaths.Root, "config", "physics"),
            "--Analytics:ModelsDirectory", Path.Combine(RepoPaths.Root, "models"), .. extraArgs];
        var app = TwinServiceHost.Build(args, configure);
        await app.StartAsync();
        return new ServiceFixture(app, mqtt, http, dir, own);
    }

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await Http.GetAsync(path);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>/health answers 503 with the same body when a component is down.</summary>
    public async Task<JsonElement> HealthAsync()
    {
        using var response = await Http.GetAsync("/health");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public Task<JsonElement> StatsAsync() => GetJsonAsync("/api/ingest/stats");

    public async Task<IMqttClient> ConnectClientAsync(string clientId, int? port = null)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port ?? MqttPort).WithClientId(clientId).Build());
        return client;
    }

    public static Task<MqttClientPublishResult> PublishAsync(IMqttClient client, string topic, string payload, CancellationToken ct = default) =>
        client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), ct);

    public async Task StopAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        try
        {
            await StopAsync();
        }
        catch (ObjectDisposedException)
        {
            // already stopped by the test
        }

        _ownDir?.Dispose();
    }
}
