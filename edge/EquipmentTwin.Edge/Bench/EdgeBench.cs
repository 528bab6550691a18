using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using EquipmentTwin.Edge.Health;
using EquipmentTwin.Edge.Hosting;
using EquipmentTwin.Edge.Pipeline;
using EquipmentTwin.Edge.Queue;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MQTTnet.Server;

namespace EquipmentTwin.Edge.Bench;

/// <summary>
/// <c>twin-edge bench [--lines N] [--keep] [--verbose]</c>: writes N MRI pipe lines to a file, runs the real agent on it against an
/// in-process MQTTnet broker on loopback, and prints lines/s parsed (read, parsed, journaled with fsync) and
/// published (acknowledged by the broker).
/// </summary>
public static class EdgeBench
{
    public static async Task<int> RunAsync(int lines, bool keep, bool verbose)
    {

        var dir = Path.Combine(Path.GetTempPath(), "twin-edge-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var log = Path.Combine(dir, "mr.log");
        WriteLines(log, lines);

        var port = FreePort();
        long recordsAtBroker = 0;
        using var server = new MqttServerFactory().CreateMqttServer(new MqttServerOptionsBuilder().WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(IPAddress.Loopback).WithDefaultEndpointPort(port).Build());
        server.InterceptingPublishAsync += e =>
        {
            if (e.ApplicationMessage.Topic.EndsWith("/logs", StringComparison.Ordinal))
            {
                Interlocked.Add(ref recordsAtBroker, CountRecords(e.ApplicationMessage.Payload));
            }

            return Task.CompletedTask;
        };
        await server.StartAsync();

        var settings = new Dictionary<string, string?>
        {
            ["Edge:Source"] = "edge-bench",
            ["Edge:Site"] = "bench",
            ["Edge:DataDir"] = Path.Combine(dir, "data"),
            ["Mqtt:Port"] = port.ToString(CultureInfo.InvariantCulture),
            ["Http:Port"] = "0",
            ["Devices:0:id"] = "mr-bench-1",
            ["Devices:0:format"] = "pipe",
            ["Devices:0:tail"] = log,
            ["Logging:LogLevel:Default"] = verbose ? "Debug" : "Warning",
        };
        using var host = EdgeHost.Build([], settings);
        var batcher = host.Services.GetRequiredService<Batcher>();
        var journal = host.Services.GetRequiredService<DiskJournal>();
        var status = host.Services.GetRequiredService<EdgeStatusReporter>();

        // Both ends are taken where they happen, not when this loop looks: the batcher stamps its last fsynced commit and
        // the journal its last PUBACK, so parse-and-journal and publish are timed apart even when both end within one look.
        var startedAt = DateTimeOffset.UtcNow;
        var start = Stopwatch.GetTimestamp();
        await host.StartAsync();
        var sw = Stopwatch.StartNew();
        while (Interlocked.Read(ref recordsAtBroker) < lines || journal.Stats().DepthBatches > 0 || batcher.RecordsCommitted < lines)
        {
            if (sw.Elapsed > TimeSpan.FromMinutes(2))
            {
                Console.Error.WriteLine($"bench: timed out; {Interlocked.Read(ref recordsAtBroker)} records at the broker; status: {System.Text.Json.JsonSerializer.Serialize(status.Snapshot())}");
                return 1;
            }

            await Task.Delay(5);
        }

        var parsedAt = Stopwatch.GetElapsedTime(start, batcher.LastCommitTimestamp).TotalSeconds;
        var stats = journal.Stats();
        var publishedAt = ((stats.LastAckAt ?? DateTimeOffset.UtcNow) - startedAt).TotalSeconds;
        var snap = status.Snapshot();
        await host.StopAsync();
        await server.StopAsync();
        Console.WriteLine($"lines: {lines}, batches: {snap.BatchesJournaled}, cores: {Environment.ProcessorCount}");
        Console.WriteLine($"parsed and journaled: {lines / parsedAt:N0} lines/s ({parsedAt:0.000} s, to the last fsynced commit)");
        Console.WriteLine($"published and acknowledged (QoS 1): {lines / publishedAt:N0} lines/s ({publishedAt:0.000} s, to the last PUBACK)");
        if (!keep)
        {
            Directory.Delete(dir, recursive: true);
        }

        return 0;
    }

    private static void WriteLines(string path, int n)
    {
        string[] names = ["he_level_pct", "he_pressure_psi", "cold_head_temp_k", "gradient_coil_temp_c"];
        var start = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        using var w = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
        for (var i = 0; i < n; i++)
        {
            var ts = start.AddMilliseconds(i * 10L);
            w.Write(ts.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture));
            w.Write("|PARAM|");
            w.Write(names[i % names.Length]);
            w.Write('|');
            w.Write((70 + (i % 1000) / 100.0).ToString(CultureInfo.InvariantCulture));
            w.Write("|%\n");
        }
    }

    private static long CountRecords(System.Buffers.ReadOnlySequence<byte> payload)
    {
        var count = 0L;
        var reader = new System.Buffers.SequenceReader<byte>(payload);
        while (reader.TryAdvanceTo((byte)'"', advancePastDelimiter: true))
        {
            if (reader.IsNext("type\":"u8, advancePast: true))
            {
                count++;
            }
        }

        return count;
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
