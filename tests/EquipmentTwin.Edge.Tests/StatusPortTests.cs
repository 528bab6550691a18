using System.Net;
using System.Net.Sockets;
using EquipmentTwin.Edge.Health;
using EquipmentTwin.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EquipmentTwin.Edge.Tests;

/// <summary>The status endpoint is for people and monitors: when its port cannot be had, the agent goes on with the data.</summary>
public class StatusPortTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task An_agent_whose_status_port_is_taken_keeps_publishing_and_writes_status_json()
    {
        using var dir = new TempDirectory("edge-port");
        var log = Path.Combine(dir.Path, "mr.log");
        await using var service = await TwinService.StartAsync(Path.Combine(dir.Path, "service"));
        var config = new AgentConfig { DataDir = Path.Combine(dir.Path, "agent"), MqttPort = service.MqttPort }.Tail("mr-p1", "pipe", log);
        var configPath = config.Write(Path.Combine(dir.Path, "edge.json"));
        var squatter = new TcpListener(IPAddress.Loopback, config.HttpPort);
        squatter.Start();
        try
        {
            VendorLines.Append(log, 0, 200);
            await using var agent = await InProcessAgent.StartAsync(configPath);
            var endpoint = agent.Services.GetRequiredService<StatusEndpoint>();
            await service.WaitForExactlyAsync(200, () => Task.FromResult(true), Wait);

            // Every attempt to bind has failed: before, the fifth failure stopped the whole agent.
            await Eventually.HoldsAsync(() => Task.FromResult(endpoint.FailedStarts), n => n >= 5, Wait, "five failed attempts to bind the status port");
            Assert.False(endpoint.Listening);
            VendorLines.Append(log, 200, 400);
            await service.WaitForExactlyAsync(400, () => Task.FromResult(true), Wait);
            Assert.False(agent.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested);
            var statusFile = Path.Combine(config.DataDir, "status.json");
            await Eventually.HoldsAsync(() => Task.FromResult(File.Exists(statusFile) ? File.ReadAllText(statusFile) : ""), s => s.Contains("\"queueDepthBatches\"", StringComparison.Ordinal), Wait, "status.json written");
        }
        finally
        {
            squatter.Stop();
        }
    }
}
