using System.IO.Compression;
using System.Text.Json;
using EquipmentTwin.Testing;
using Xunit.Abstractions;

namespace EquipmentTwin.Edge.Tests;

/// <summary>
/// Every rotation style a vendor tool or logrotate uses, through the real agent into the real service: each test counts
/// the lines written against the records stored (exact), and the losses the agent reports.
/// </summary>
public class RotationTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Rename_and_create_with_a_writer_that_reopens_late_loses_nothing_and_reads_late_growth()
    {
        const int Lines = 3000;
        using var dir = new TempDirectory("edge-rot-late");
        var log = Path.Combine(dir.Path, "probe.log");
        await using var service = await TwinService.StartAsync(Path.Combine(dir.Path, "service"));
        var config = new AgentConfig { DataDir = Path.Combine(dir.Path, "agent"), MqttPort = service.MqttPort }.Tail("mr-r1", "pipe", log);
        await using var agent = await InProcessAgent.StartAsync(config.Write(Path.Combine(dir.Path, "edge.json")));
        using var status = new AgentStatus(config.HttpPort);
        await using var writer = new HeldWriter(log, Lines, burst: 10, pauseMs: 5);

        // Two rotations the way logrotate's create mode does them: rename, a new empty file at once, and the writer
        // appending to the renamed file for another 0.5 s before it reopens its path.
        foreach (var at in new[] { Lines / 3, 2 * Lines / 3 })
        {
            await Eventually.HoldsAsync(() => Task.FromResult(writer.Written), n => n >= at, Wait, $"{at} lines written");
            if (File.Exists(log + ".1"))
            {
                File.Move(log + ".1", log + ".2");
            }

            File.Move(log, log + ".1");
            await File.WriteAllBytesAsync(log, []);
            await Task.Delay(500); // the writer's late reopen is what is being simulated, not a wait for a condition
            await writer.ReopenAsync();
        }

        await writer.Completion;
        var lateInRotated = (await File.ReadAllBytesAsync(log + ".1")).Length + (await File.ReadAllBytesAsync(log + ".2")).Length;
        var stored = await service.WaitForExactlyAsync(Lines, () => status.DrainedAsync(log), Wait);
        output.WriteLine($"rename + create, writer reopening 0.5 s late (twice): {Lines} lines written, {stored} stored; {lateInRotated} bytes sit in the rotated files");
        Assert.Equal(Lines, stored);

        // Both rotated files are closed once idle for the grace, and still watched: late lines are read on the next scan.
        await Eventually.HoldsAsync(status.GetAsync, s => Source(s).GetProperty("rotated").EnumerateArray().Count(f => !f.GetProperty("open").GetBoolean()) == 2,
            Wait, "both rotated files closed after the grace");
        VendorLines.Append(log + ".2", Lines, Lines + 20);
        stored = await service.WaitForExactlyAsync(Lines + 20, () => status.DrainedAsync(log), Wait);
        output.WriteLine($"20 lines appended to probe.log.2 after it was closed: {Lines + 20} written, {stored} stored");
        Assert.Equal(Lines + 20, stored);
        var s = await status.GetAsync();
        Assert.Equal(0, s.GetProperty("lossEvents").GetInt64());
        Assert.Equal(Lines + 20, Source(s).GetProperty("linesRead").GetInt64());
    }

    [Fact]
    public async Task Rename_create_and_delayed_compression_is_read_before_or_after_compression_exactly_once()
    {
        using var dir = new TempDirectory("edge-rot-gz");
        var log = Path.Combine(dir.Path, "mr.log");
        await using var service = await TwinService.StartAsync(Path.Combine(dir.Path, "service"));
        var config = new AgentConfig { DataDir = Path.Combine(dir.Path, "agent"), MqttPort = service.MqttPort }.Tail("mr-g1", "pipe", log);
        var configPath = config.Write(Path.Combine(dir.Path, "edge.json"));
        using var status = new AgentStatus(config.HttpPort);
        var agent = await InProcessAgent.StartAsync(configPath);

        // Read before compression: the late lines are read from the renamed file, then it is compressed; the .gz adds nothing.
        VendorLines.Append(log, 0, 300);
        await service.WaitForExactlyAsync(300, () => status.DrainedAsync(log), Wait);
        File.Move(log, log + ".1");
        VendorLines.Append(log, 400, 500);
        VendorLines.Append(log + ".1", 300, 400);
        await service.WaitForExactlyAsync(500, () => status.DrainedAsync(log), Wait);
        Gzip(log + ".1");
        await Eventually.HoldsAsync(status.GetAsync, s => Source(s).GetProperty("rotated").GetArrayLength() == 0, Wait, "the compressed file read and forgotten");
        Assert.Equal(500, await service.RecordsAcceptedAsync());

        // Read after compression: rotated and compressed while the agent is down, with lines it had not read yet.
        await agent.StopAsync();
        VendorLines.Append(log, 500, 550);
        File.Move(log + ".1.gz", log + ".2.gz");
        File.Move(log, log + ".1");
        VendorLines.Append(log + ".1", 550, 600);
        Gzip(log + ".1");
        VendorLines.Append(log, 600, 700);
        await using var again = await InProcessAgent.StartAsync(configPath);
        var stored = await service.WaitForExactlyAsync(700, () => status.DrainedAsync(log), Wait);
        await Eventually.HoldsAsync(status.GetAsync, s => Source(s).GetProperty("rotated").GetArrayLength() == 0, Wait, "the compressed file read and forgotten");
        output.WriteLine($"rename + create + gzip (read before, and after, compression): 700 lines written, {await service.RecordsAcceptedAsync()} stored");
        Assert.Equal(700, stored);
        Assert.Equal(700, await service.RecordsAcceptedAsync());
        Assert.Equal(0, (await status.GetAsync()).GetProperty("lossEvents").GetInt64());
    }

    [Fact]
    public async Task Copytruncate_is_detected_lines_in_the_copy_are_read_and_bytes_in_neither_are_reported()
    {
        using var dir = new TempDirectory("edge-rot-copy");
        var log = Path.Combine(dir.Path, "mr.log");
        var elsewhere = Path.Combine(dir.Path, "old");
        Directory.CreateDirectory(elsewhere);
        await using var service = await TwinService.StartAsync(Path.Combine(dir.Path, "service"));
        var config = new AgentConfig { DataDir = Path.Combine(dir.Path, "agent"), MqttPort = service.MqttPort }.Tail("mr-c1", "pipe", log);
        await using var agent = await InProcessAgent.StartAsync(config.Write(Path.Combine(dir.Path, "edge.json")));
        using var status = new AgentStatus(config.HttpPort);

        VendorLines.Append(log, 0, 300);
        await service.WaitForExactlyAsync(300, () => status.DrainedAsync(log), Wait);

        // copytruncate: new lines, then at once the copy and the truncation; whether or not the agent saw them before, they are stored once.
        VendorLines.Append(log, 300, 400);
        File.Copy(log, log + ".1");
        Truncate(log);
        VendorLines.Append(log, 400, 500);
        await service.WaitForExactlyAsync(500, () => status.DrainedAsync(log), Wait);

        // Truncated and at once written past the old offset: the length alone cannot tell, the file's first bytes do.
        File.Move(log + ".1", Path.Combine(elsewhere, "mr.log.1"));
        Truncate(log);
        VendorLines.Append(log, 500, 900);
        await service.WaitForExactlyAsync(900, () => status.DrainedAsync(log), Wait);
        Assert.Equal(0, (await status.GetAsync()).GetProperty("lossEvents").GetInt64());

        // A line the writer had half written when logrotate copied the file into another folder: in neither file the agent can see.
        var partial = "2026-11-01 01:00:00.000|PARAM|he_level_pct|7"u8.ToArray();
        await using (var fs = new FileStream(log, FileMode.Append, FileAccess.Write, FileShare.ReadWrite))
        {
            fs.Write(partial);
        }

        var offset = new FileInfo(log).Length - partial.Length;
        await Eventually.HoldsAsync(status.GetAsync, s => Source(s).GetProperty("length").GetInt64() == offset + partial.Length, Wait, "the agent saw the half-written line");
        File.Copy(log, Path.Combine(elsewhere, "mr.log.2"));
        Truncate(log);
        VendorLines.Append(log, 900, 1000);
        var stored = await service.WaitForExactlyAsync(1000, () => status.DrainedAsync(log), Wait);

        var s = await status.GetAsync();
        var loss = s.GetProperty("recentLosses")[0];
        output.WriteLine($"copytruncate (copy found, truncated past the old offset, copy elsewhere): 1000 whole lines written, {stored} stored; reported lost: {loss}");
        Assert.Equal(1000, stored);
        Assert.Equal(1, s.GetProperty("lossEvents").GetInt64());
        Assert.Equal(partial.Length, s.GetProperty("bytesLost").GetInt64());
        Assert.Equal(log, loss.GetProperty("file").GetString());
        Assert.Equal(offset, loss.GetProperty("from").GetInt64());
        Assert.Equal(offset + partial.Length, loss.GetProperty("to").GetInt64());
        Assert.Contains("copytruncate", loss.GetProperty("reason").GetString());
        using var http = new HttpClient();
        var metrics = await http.GetStringAsync($"http://127.0.0.1:{config.HttpPort}/metrics");
        Assert.Contains($"edge_bytes_lost_total {partial.Length}\n", metrics);
        Assert.Contains("edge_loss_events_total 1\n", metrics);
    }

    [Fact]
    public async Task Date_stamped_files_in_one_folder_are_each_read_once_with_late_lines_and_counters_survive_a_restart()
    {
        using var dir = new TempDirectory("edge-rot-date");
        var logs = Path.Combine(dir.Path, "logs");
        Directory.CreateDirectory(logs);
        string Day(int d) => Path.Combine(logs, $"mr-2026-11-{d:00}.log");
        await using var service = await TwinService.StartAsync(Path.Combine(dir.Path, "service"));
        var config = new AgentConfig { DataDir = Path.Combine(dir.Path, "agent"), MqttPort = service.MqttPort }.Directory("mr-d1", "pipe", logs, "mr-*.log");
        var configPath = config.Write(Path.Combine(dir.Path, "edge.json"));
        using var status = new AgentStatus(config.HttpPort);
        var agent = await InProcessAgent.StartAsync(configPath);

        VendorLines.Append(Day(1), 0, 300);
        await Eventually.HoldsAsync(service.RecordsAcceptedAsync, n => n >= 300, Wait, "day 1 stored");
        VendorLines.Append(Day(2), 300, 500);
        VendorLines.Append(Day(1), 500, 550); // the vendor tool finishes yesterday's file after today's began
        await Eventually.HoldsAsync(service.RecordsAcceptedAsync, n => n >= 550, Wait, "day 2 and the late lines of day 1 stored");

        await agent.StopAsync();
        VendorLines.Append(Day(2), 550, 600);
        VendorLines.Append(Day(3), 600, 700);
        await using var again = await InProcessAgent.StartAsync(configPath);
        await Eventually.HoldsAsync(service.RecordsAcceptedAsync, n => n >= 700, Wait, "all days stored");
        var s = await Eventually.HoldsAsync(status.GetAsync, x => x.GetProperty("queueDepthBatches").GetInt32() == 0 && Source(x).GetProperty("linesRead").GetInt64() >= 700, Wait, "drained");
        output.WriteLine($"date-stamped files (3 days, late lines, restart): 700 lines written, {await service.RecordsAcceptedAsync()} stored");
        Assert.Equal(700, await service.RecordsAcceptedAsync());
        Assert.Equal(700, Source(s).GetProperty("linesRead").GetInt64());
        Assert.Equal(150, Source(s).GetProperty("linesReadSinceStart").GetInt64());
    }

    [Fact]
    public async Task Rotation_while_the_agent_is_down_is_finished_on_restart_and_a_deleted_old_file_is_reported()
    {
        using var dir = new TempDirectory("edge-rot-down");
        var log = Path.Combine(dir.Path, "mr.log");
        await using var service = await TwinService.StartAsync(Path.Combine(dir.Path, "service"));
        var config = new AgentConfig { DataDir = Path.Combine(dir.Path, "agent"), MqttPort = service.MqttPort }.Tail("mr-w1", "pipe", log);
        var configPath = config.Write(Path.Combine(dir.Path, "edge.json"));
        using var status = new AgentStatus(config.HttpPort);

        var agent = await InProcessAgent.StartAsync(configPath);
        VendorLines.Append(log, 0, 200);
        await service.WaitForExactlyAsync(200, () => status.DrainedAsync(log), Wait);

        // Down: the writer goes on, the file is renamed, the writer finishes it late and starts a new one.
        await agent.StopAsync();
        VendorLines.Append(log, 200, 300);
        File.Move(log, log + "-20261101");
        VendorLines.Append(log + "-20261101", 300, 350);
        VendorLines.Append(log, 350, 400);
        agent = await InProcessAgent.StartAsync(configPath);
        var stored = await service.WaitForExactlyAsync(400, () => status.DrainedAsync(log), Wait);
        output.WriteLine($"rotation while down (dateext rename): 400 lines written, {stored} stored");
        Assert.Equal(400, stored);
        Assert.Equal(400, Source(await status.GetAsync()).GetProperty("linesRead").GetInt64());

        // Down, and rotated twice meanwhile: the middle generation was never seen by the agent; it is read whole.
        await agent.StopAsync();
        VendorLines.Append(log, 400, 420);
        File.Move(log, log + "-20261102");
        VendorLines.Append(log, 420, 470);
        File.Move(log, log + "-20261103");
        VendorLines.Append(log, 470, 500);
        agent = await InProcessAgent.StartAsync(configPath);
        stored = await service.WaitForExactlyAsync(500, () => status.DrainedAsync(log), Wait);
        output.WriteLine($"two rotations while down: 500 lines written, {stored} stored");
        Assert.Equal(500, stored);

        // Down again, and this time the rotated file is deleted before the agent is back: its unread tail cannot be read.
        // (The new file usually gets the deleted one's inode: the agent tells them apart by their first bytes.)
        await agent.StopAsync();
        var readTo = new FileInfo(log).Length;
        VendorLines.Append(log, 500, 550);
        File.Move(log, log + "-20261104");
        File.Delete(log + "-20261104");
        VendorLines.Append(log, 550, 600);
        await using var last = await InProcessAgent.StartAsync(configPath);
        stored = await service.WaitForExactlyAsync(550, () => status.DrainedAsync(log), Wait);
        var s = await Eventually.HoldsAsync(status.GetAsync, x => x.GetProperty("lossEvents").GetInt64() == 1, Wait, "the loss reported");
        var loss = s.GetProperty("recentLosses")[0];
        output.WriteLine($"rotation while down, old file deleted: 600 lines written, {stored} stored (50 in the deleted file); reported: {loss}");
        Assert.Equal(550, stored);
        Assert.Equal(log, loss.GetProperty("file").GetString());
        Assert.Equal(readTo, loss.GetProperty("from").GetInt64());
        Assert.Contains("while the agent was down", loss.GetProperty("reason").GetString());
        Assert.Contains("while the agent was down", await File.ReadAllTextAsync(Path.Combine(dir.Path, "agent", "losses.log")));
    }

    private static JsonElement Source(JsonElement status) => status.GetProperty("sources")[0];

    private static void Truncate(string path)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        fs.SetLength(0);
    }

    /// <summary>As gzip(1) does: writes {path}.gz, then deletes the plain file.</summary>
    private static void Gzip(string path)
    {
        using (var input = File.OpenRead(path))
        using (var gz = new GZipStream(File.Create(path + ".gz"), CompressionLevel.Fastest))
        {
            input.CopyTo(gz);
        }

        File.Delete(path);
    }
}
