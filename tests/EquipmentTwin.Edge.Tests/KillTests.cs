using EquipmentTwin.Testing;
using Xunit.Abstractions;

namespace EquipmentTwin.Edge.Tests;

/// <summary>The agent as a real process, killed with SIGKILL at random points while lines keep arriving: nothing is lost and nothing is stored twice.</summary>
public class KillTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);
    private const int Lines = 6000;
    private const int Kills = 4;

    private static ExternalProcess StartAgent(string config) =>
        ExternalProcess.Start("dotnet", [Path.Combine(AppContext.BaseDirectory, "twin-edge.dll"), "--config", config]);

    [Fact]
    public async Task Agent_killed_with_sigkill_repeatedly_mid_stream_loses_nothing_and_stores_nothing_twice()
    {
        using var dir = new TempDirectory("edge-kill");
        var log = Path.Combine(dir.Path, "mr.log");
        await using var service = await TwinService.StartAsync(Path.Combine(dir.Path, "service"));
        var config = new AgentConfig { DataDir = Path.Combine(dir.Path, "agent"), MqttPort = service.MqttPort }.Tail("mr-k1", "pipe", log);
        var configPath = config.Write(Path.Combine(dir.Path, "edge.json"));
        using var status = new AgentStatus(config.HttpPort);
        var random = new Random(7);
        await using var writer = new LineWriter(log, Lines, burst: 15, pauseMs: 20);

        for (var kill = 1; kill <= Kills; kill++)
        {
            await using var agent = StartAgent(configPath);
            var before = await service.RecordsAcceptedAsync();
            // On a busy machine the writer may finish before the last runs: then they are killed once they have caught up.
            var target = Math.Min(Lines, before + random.Next(150, 900));
            // Kill at a random point after this run made some progress, while the writer is still writing.
            await Eventually.HoldsAsync(async () =>
            {
                if (agent.HasExited)
                {
                    throw new InvalidOperationException("agent exited: " + agent.Output);
                }

                return await service.RecordsAcceptedAsync();
            }, n => n >= target, Wait, $"run {kill} stores {target} records");
            await agent.KillAsync();
            output.WriteLine($"kill -9 #{kill}: {await service.RecordsAcceptedAsync()} records stored, {writer.Written} lines written");
        }

        await writer.Completion;
        await using var last = StartAgent(configPath);
        var stored = await service.WaitForExactlyAsync(Lines, () => last.HasExited ? throw new Xunit.Sdk.XunitException("agent exited: " + last.Output) : status.DrainedAsync(log), Wait);
        var stats = await service.GetJsonAsync("/api/ingest/stats");
        output.WriteLine($"after {Kills} kills: {stored} records stored of {Lines} lines written; duplicate batches dropped by the service: {stats.GetProperty("duplicatesDropped").GetInt64()}");

        Assert.Equal(Lines, stored);
        Assert.Equal(Lines, (await service.GetJsonAsync("/api/devices/mr-k1")).GetProperty("recordsSinceStart").GetInt64());

        // The source's counters are journaled with its positions: after four kills they count every line once.
        var source = (await status.GetAsync()).GetProperty("sources")[0];
        output.WriteLine($"linesRead after {Kills} kills: {source.GetProperty("linesRead").GetInt64()} (this process: {source.GetProperty("linesReadSinceStart").GetInt64()})");
        Assert.Equal(Lines, source.GetProperty("linesRead").GetInt64());
        await last.StopAsync(TimeSpan.FromSeconds(10));
    }
}
