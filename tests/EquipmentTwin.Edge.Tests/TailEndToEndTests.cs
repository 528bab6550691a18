using EquipmentTwin.Testing;

namespace EquipmentTwin.Edge.Tests;

/// <summary>File tail through the real agent into the real service: counts in the store are exact.</summary>
public class TailEndToEndTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Tail_follows_rotation_and_truncation_and_resumes_after_restart_exactly_once()
    {
        using var dir = new TempDirectory("edge-tail");
        Directory.CreateDirectory(Path.Combine(dir.Path, "logs"));
        var log = Path.Combine(dir.Path, "logs", "mr.log");
        await using var service = await TwinService.StartAsync(Path.Combine(dir.Path, "service"));
        var config = new AgentConfig { DataDir = Path.Combine(dir.Path, "agent"), MqttPort = service.MqttPort }.Tail("mr-t1", "pipe", log);
        var configPath = config.Write(Path.Combine(dir.Path, "edge.json"));
        using var status = new AgentStatus(config.HttpPort);

        VendorLines.Append(log, 0, 300);
        var agent = await InProcessAgent.StartAsync(configPath);
        await service.WaitForExactlyAsync(300, () => status.DrainedAsync(log), Wait);

        // Rotation: the writer renames the file, finishes a few lines in the old one, then starts a new one.
        File.Move(log, log + ".1");
        VendorLines.Append(log + ".1", 300, 350);
        VendorLines.Append(log, 350, 500);
        await service.WaitForExactlyAsync(500, () => status.DrainedAsync(log), Wait);

        // Truncation (copytruncate): the file starts again from zero bytes under the same name.
        await using (File.Open(log, FileMode.Truncate, FileAccess.Write, FileShare.ReadWrite))
        {
        }

        VendorLines.Append(log, 500, 600);
        await service.WaitForExactlyAsync(600, () => status.DrainedAsync(log), Wait);

        // Agent down: lines keep coming and the file is rotated meanwhile; on restart it finishes the old file first.
        await agent.StopAsync();
        VendorLines.Append(log, 600, 700);
        File.Move(log, log + ".2");
        VendorLines.Append(log, 700, 750);
        await using var again = await InProcessAgent.StartAsync(configPath);
        var stored = await service.WaitForExactlyAsync(750, () => status.DrainedAsync(log), Wait);

        Assert.Equal(750, stored);
        var device = await service.GetJsonAsync("/api/devices/mr-t1");
        Assert.Equal(750, device.GetProperty("recordsSinceStart").GetInt64());
        Assert.True(device.GetProperty("statusOnline").GetBoolean());
        Assert.Equal("mri", device.GetProperty("nameplate").GetProperty("modality").GetString());
    }

    [Fact]
    public async Task Directory_source_reads_dropped_files_and_sets_bad_lines_aside()
    {
        using var dir = new TempDirectory("edge-dir");
        var drop = Path.Combine(dir.Path, "drop");
        Directory.CreateDirectory(drop);
        await using var service = await TwinService.StartAsync(Path.Combine(dir.Path, "service"));
        var config = new AgentConfig { DataDir = Path.Combine(dir.Path, "agent"), MqttPort = service.MqttPort }.Directory("xr-d1", "csv", drop, "*.csv", "xray");
        await using var agent = await InProcessAgent.StartAsync(config.Write(Path.Combine(dir.Path, "edge.json")));
        using var status = new AgentStatus(config.HttpPort);

        var start = new DateTimeOffset(2026, 11, 2, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        File.WriteAllLines(Path.Combine(drop, "2026-11-02.csv"),
            [Parsers.CsvHeader, .. Enumerable.Range(0, 200).Select(i => $"{start + i * 1000};P;kv_actual_kv;{80 + i % 5};kV;;"), "garbage line", $"{start};E;XR-EXP-020;;;I;Exposure released"]);
        File.WriteAllLines(Path.Combine(drop, "2026-11-03.csv"),
            [Parsers.CsvHeader, .. Enumerable.Range(0, 100).Select(i => $"{start + 86_400_000 + i * 1000};P;kv_actual_kv;81;kV;;")]);

        await Eventually.HoldsAsync(service.RecordsAcceptedAsync, n => n >= 301, Wait, "301 records from two dropped files");
        var s = await Eventually.HoldsAsync(status.GetAsync, x => x.GetProperty("queueDepthBatches").GetInt32() == 0, Wait, "queue drained");
        Assert.Equal(301, await service.RecordsAcceptedAsync());
        Assert.Equal(1, s.GetProperty("rejectedLines").GetInt64());
        var rejected = await File.ReadAllLinesAsync(Path.Combine(dir.Path, "agent", "rejected", "xr-d1.log"));
        Assert.Equal("garbage line", Assert.Single(rejected).Split('\t')[1]);
    }
}

internal static class Parsers
{
    public const string CsvHeader = EquipmentTwin.Edge.Parsing.CsvLogParser.Header;
}
