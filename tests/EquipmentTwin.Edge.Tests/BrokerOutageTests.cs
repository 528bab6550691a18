using EquipmentTwin.Testing;

namespace EquipmentTwin.Edge.Tests;

/// <summary>The broker goes away mid-stream while lines keep arriving; when it is back every line is stored exactly once.</summary>
public class BrokerOutageTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private const int Lines = 3000;

    [Fact]
    public async Task Embedded_broker_outage_loses_nothing_and_stores_nothing_twice()
    {
        using var dir = new TempDirectory("edge-outage");
        var log = Path.Combine(dir.Path, "mr.log");
        await using var service = await TwinService.StartAsync(Path.Combine(dir.Path, "service"));
        var config = new AgentConfig { DataDir = Path.Combine(dir.Path, "agent"), MqttPort = service.MqttPort }.Tail("mr-o1", "pipe", log);
        await using var agent = await InProcessAgent.StartAsync(config.Write(Path.Combine(dir.Path, "edge.json")));
        using var status = new AgentStatus(config.HttpPort);
        await using var writer = new LineWriter(log, Lines);

        await Eventually.HoldsAsync(service.RecordsAcceptedAsync, n => n >= 500, Wait, "the first records stored");
        await service.StopAsync(); // the service is the broker: both go down
        await Eventually.HoldsAsync(status.GetAsync, s => !s.GetProperty("connected").GetBoolean() && s.GetProperty("queueDepthBatches").GetInt32() >= 3, Wait, "batches queued on disk while the broker is down");
        await service.RestartAsync();
        await writer.Completion;

        var stored = await service.WaitForExactlyAsync(Lines, () => status.DrainedAsync(log), Wait);
        Assert.Equal(Lines, stored);
    }

    [Fact]
    public async Task Mosquitto_outage_loses_nothing_and_stores_nothing_twice()
    {
        using var dir = new TempDirectory("edge-mosq");
        var log = Path.Combine(dir.Path, "mr.log");
        await using var broker = await MosquittoBroker.StartAsync();
        await using var service = await TwinService.StartAsync(Path.Combine(dir.Path, "service"), externalBrokerPort: broker.Port);
        var config = new AgentConfig { DataDir = Path.Combine(dir.Path, "agent"), MqttPort = broker.Port, RequireSubscriber = true }.Tail("mr-m1", "pipe", log);
        await using var agent = await InProcessAgent.StartAsync(config.Write(Path.Combine(dir.Path, "edge.json")));
        using var status = new AgentStatus(config.HttpPort);
        await using var writer = new LineWriter(log, Lines);

        await Eventually.HoldsAsync(service.RecordsAcceptedAsync, n => n >= 500, Wait, "the first records stored via mosquitto");
        // Mosquitto 2.0.11 (Debian 12) does not restore the service's MQTT 5 session after a restart, so what it holds
        // for the service at that instant is lost by the broker, whatever the agent does (docs/edge.md). Stop it when the
        // service has everything mosquitto acknowledged; the lines written while it is down are the agent's test.
        var written = await writer.PauseAsync();
        await service.WaitForExactlyAsync(written, () => status.DrainedAsync(log), Wait);
        await broker.StopAsync();
        writer.Resume();
        await Eventually.HoldsAsync(status.GetAsync, s => !s.GetProperty("connected").GetBoolean() && s.GetProperty("queueDepthBatches").GetInt32() >= 3, Wait, "batches queued on disk while mosquitto is down");
        await broker.RestartAsync();
        await writer.Completion;

        long stored;
        try
        {
            stored = await service.WaitForExactlyAsync(Lines, () => status.DrainedAsync(log), Wait);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}; service: {await service.GetJsonAsync("/api/ingest/stats")}; agent: {await status.GetAsync()}");
        }

        Assert.Equal(Lines, stored);
        var device = await service.GetJsonAsync("/api/devices/mr-m1");
        Assert.Equal("mri", device.GetProperty("nameplate").GetProperty("modality").GetString());
    }

    [Fact]
    public async Task Full_disk_queue_holds_the_tail_back_and_loses_nothing_when_the_broker_returns()
    {
        using var dir = new TempDirectory("edge-full");
        var log = Path.Combine(dir.Path, "mr.log");
        var mqttPort = TestPorts.Free(); // nothing listens yet
        const long maxBytes = 128 * 1024;
        var config = new AgentConfig { DataDir = Path.Combine(dir.Path, "agent"), MqttPort = mqttPort, QueueMaxBytes = maxBytes, SegmentBytes = 16 * 1024 }.Tail("mr-f1", "pipe", log);
        VendorLines.Append(log, 0, 6000); // about 420 kB of batches: more than the queue holds
        await using var agent = await InProcessAgent.StartAsync(config.Write(Path.Combine(dir.Path, "edge.json")));
        using var status = new AgentStatus(config.HttpPort);

        var full = await Eventually.HoldsAsync(status.GetAsync, s => s.GetProperty("queueFull").GetBoolean(), Wait, "queue full");
        Assert.InRange(full.GetProperty("queueBytes").GetInt64(), 1, maxBytes);
        Assert.InRange(full.GetProperty("sources")[0].GetProperty("position").GetInt64(), 1, new FileInfo(log).Length - 1);
        Assert.Equal(0, full.GetProperty("droppedBatches").GetInt64());

        await using var service = await TwinService.StartAsync(Path.Combine(dir.Path, "service"), mqttPort);
        var stored = await service.WaitForExactlyAsync(6000, () => status.DrainedAsync(log), Wait);
        Assert.Equal(6000, stored);
    }
}
