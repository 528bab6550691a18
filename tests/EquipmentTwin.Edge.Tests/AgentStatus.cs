using System.Net.Http.Json;
using System.Text.Json;

namespace EquipmentTwin.Edge.Tests;

/// <summary>Reads the agent's <c>GET /status</c>.</summary>
public sealed class AgentStatus(int httpPort) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}"), Timeout = TimeSpan.FromSeconds(5) };

    public async Task<JsonElement> GetAsync() => await _http.GetFromJsonAsync<JsonElement>("/status");

    /// <summary>Nothing left in the queue and the (single) file source has read <paramref name="path"/> to its end.</summary>
    public async Task<bool> DrainedAsync(string path)
    {
        var s = await GetAsync();
        var source = s.GetProperty("sources")[0];
        return s.GetProperty("queueDepthBatches").GetInt32() == 0 && s.GetProperty("connected").GetBoolean()
            && source.GetProperty("file").GetString() == path && source.GetProperty("position").GetInt64() == new FileInfo(path).Length;
    }

    public void Dispose() => _http.Dispose();
}
