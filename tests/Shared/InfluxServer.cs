namespace EquipmentTwin.Testing;

/// <summary>A real influxd (Debian's influxdb 1.x) on free loopback ports with its data in a temp folder; stop and start it to make outages.</summary>
public sealed class InfluxServer : IAsyncDisposable
{
    private readonly TempDirectory _dir = new("influxd");
    private readonly int _rpcPort = TestPorts.Free();
    private ExternalProcess? _process;

    public int Port { get; } = TestPorts.Free();

    public string Url => $"http://127.0.0.1:{Port}";

    public static async Task<InfluxServer> StartAsync()
    {
        var server = new InfluxServer();
        await server.RestartAsync();
        return server;
    }

    /// <summary>Starts (again) on the same ports and data folder; returns when /ping answers.</summary>
    public async Task RestartAsync()
    {
        var exe = ExternalProcess.Require("influxd", "influxdb");
        var conf = Path.Combine(_dir.Path, "influxdb.conf");
        var data = _dir.Path;
        await File.WriteAllTextAsync(conf, $"""
            reporting-disabled = true
            bind-address = "127.0.0.1:{_rpcPort}"
            [meta]
              dir = "{data}/meta"
            [data]
              dir = "{data}/data"
              wal-dir = "{data}/wal"
              query-log-enabled = false
            [http]
              enabled = true
              bind-address = "127.0.0.1:{Port}"
              log-enabled = false
            [monitor]
              store-enabled = false
            [continuous_queries]
              enabled = false
            """);
        _process = ExternalProcess.Start(exe, ["-config", conf]);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        await Eventually.HoldsAsync(async () =>
        {
            if (_process.HasExited)
            {
                throw new IOException("influxd exited: " + _process.Output);
            }

            using var r = await http.GetAsync(Url + "/ping");
            return (int)r.StatusCode;
        }, code => code == 204, TimeSpan.FromSeconds(60), $"influxd on port {Port}");
    }

    public async Task StopAsync()
    {
        if (_process is not null)
        {
            await _process.StopAsync(TimeSpan.FromSeconds(10));
            await _process.DisposeAsync();
            _process = null;
        }
    }

    /// <summary>Runs InfluxQL against a database and returns the raw JSON.</summary>
    public async Task<string> QueryAsync(string database, string influxQl)
    {
        using var http = new HttpClient();
        return await http.GetStringAsync($"{Url}/query?db={Uri.EscapeDataString(database)}&epoch=ms&q={Uri.EscapeDataString(influxQl)}");
    }

    /// <summary>count(field) over all time in a measurement (0 when nothing is there).</summary>
    public async Task<long> CountAsync(string database, string measurement, string field)
    {
        var json = await QueryAsync(database, $"SELECT count(\"{field}\") FROM \"{measurement}\" WHERE time > 0");
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        var result = doc.RootElement.GetProperty("results")[0];
        if (!result.TryGetProperty("series", out var series))
        {
            return 0;
        }

        return series[0].GetProperty("values")[0][1].GetInt64();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _dir.Dispose();
    }
}
