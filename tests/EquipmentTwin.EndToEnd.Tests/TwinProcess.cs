using System.Net.Http.Json;
using System.Text.Json;
using EquipmentTwin.Testing;

namespace EquipmentTwin.EndToEnd.Tests;

/// <summary><c>twin serve</c> as a real child process on free loopback ports.</summary>
public sealed class TwinProcess : IAsyncDisposable
{
    private readonly ExternalProcess _process;

    private TwinProcess(ExternalProcess process, int mqttPort, int httpPort)
    {
        _process = process;
        MqttPort = mqttPort;
        HttpPort = httpPort;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}"), Timeout = TimeSpan.FromSeconds(10) };
    }

    public int MqttPort { get; }
    public int HttpPort { get; }
    public HttpClient Http { get; }
    public string Output => _process.Output;

    public static string TwinDll => Path.Combine(AppContext.BaseDirectory, "twin.dll");

    public static async Task<TwinProcess> StartAsync(string dataDir, int? mqttPort = null, params string[] extra)
    {
        var mqtt = mqttPort ?? TestPorts.Free();
        var http = TestPorts.Free();
        var process = ExternalProcess.Start("dotnet", [TwinDll, "serve", "--mqtt-port", mqtt.ToString(), "--http-port", http.ToString(), "--data-dir", dataDir, .. extra]);
        var twin = new TwinProcess(process, mqtt, http);
        await Eventually.HoldsAsync(async () =>
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException("twin serve exited: " + process.Output);
            }

            using var r = await twin.Http.GetAsync("/health");
            return r.IsSuccessStatusCode;
        }, ok => ok, TimeSpan.FromSeconds(60), "twin serve /health");
        return twin;
    }

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await Http.GetAsync(path);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Publishes with Debian's real mosquitto_pub at QoS 1 and fails if it does.</summary>
    public async Task MosquittoPubAsync(string topic, string payload, bool retain = false)
    {
        var exe = ExternalProcess.Require("mosquitto_pub", "mosquitto-clients");
        string[] args = ["-h", "127.0.0.1", "-p", MqttPort.ToString(), "-q", "1", "-i", "e2e-" + Guid.NewGuid().ToString("N")[..8], "-t", topic, "-m", payload, .. retain ? new[] { "-r" } : []];
        var (code, output) = await ExternalProcess.RunAsync(exe, args, TimeSpan.FromSeconds(30));
        Assert.True(code == 0, $"mosquitto_pub exited {code}: {output}");
    }

    public Task StopAsync() => _process.StopAsync(TimeSpan.FromSeconds(20));

    public Task KillAsync() => _process.KillAsync();

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _process.DisposeAsync();
    }
}
