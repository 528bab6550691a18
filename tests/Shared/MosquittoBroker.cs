namespace EquipmentTwin.Testing;

/// <summary>A real Mosquitto broker from Debian's package on a free loopback port, with persistence in a temp folder.</summary>
public sealed class MosquittoBroker : IAsyncDisposable
{
    private readonly TempDirectory _dir = new("mosquitto");
    private ExternalProcess? _process;

    public int Port { get; } = TestPorts.Free();

    /// <summary>Where Mosquitto saves its sessions and queued messages (written on autosave and on a clean stop).</summary>
    public string PersistenceFile => System.IO.Path.Combine(_dir.Path, "mosquitto.db");

    public static async Task<MosquittoBroker> StartAsync()
    {
        var broker = new MosquittoBroker();
        await broker.RestartAsync();
        return broker;
    }

    /// <summary>Starts (again) on the same port and persistence folder.</summary>
    public async Task RestartAsync()
    {
        var exe = ExternalProcess.Require("mosquitto", "mosquitto");
        // Started as root, Mosquitto 2 switches to the user 'mosquitto' unless told otherwise, which cannot write a
        // persistence folder root created: it then logs "Error saving in-memory database" and a restart loses every
        // session and queued message. 'user' names the user running the tests (ignored when not root).
        var conf = Path.Combine(_dir.Path, "mosquitto.conf");
        await File.WriteAllTextAsync(conf, $"""
            listener {Port} 127.0.0.1
            allow_anonymous true
            persistence true
            persistence_location {_dir.Path}/
            autosave_interval 1
            max_queued_messages 0
            log_dest stdout
            user {Environment.UserName}
            """);
        _process = ExternalProcess.Start(exe, ["-c", conf]);
        await Eventually.HoldsAsync(() => Task.FromResult(CanConnect()), ok => ok, TimeSpan.FromSeconds(20), $"mosquitto on port {Port}");
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

    private bool CanConnect()
    {
        if (_process is { HasExited: true })
        {
            throw new InvalidOperationException("mosquitto exited: " + _process.Output);
        }

        try
        {
            using var client = new System.Net.Sockets.TcpClient();
            client.Connect("127.0.0.1", Port);
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _dir.Dispose();
    }
}
