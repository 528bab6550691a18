using EquipmentTwin.Edge.Hosting;
using Microsoft.Extensions.Hosting;

namespace EquipmentTwin.Edge.Tests;

/// <summary>The agent's real host in the test process, started from a config file.</summary>
public sealed class InProcessAgent : IAsyncDisposable
{
    private IHost? _host;

    private InProcessAgent(IHost host) => _host = host;

    public IServiceProvider Services => _host!.Services;

    public static async Task<InProcessAgent> StartAsync(string configPath)
    {
        var host = EdgeHost.Build(["--config", configPath]);
        await host.StartAsync();
        return new InProcessAgent(host);
    }

    public async Task StopAsync()
    {
        if (_host is not null)
        {
            await _host.StopAsync();
            _host.Dispose();
            _host = null;
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
