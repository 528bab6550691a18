using System.CommandLine;
using EquipmentTwin.Cli.Bench;

namespace EquipmentTwin.Cli.Commands;

/// <summary><c>twin bench latency</c>: from the decisive record published to the alert on the MQTT alerts topic.</summary>
public static class BenchLatencyCommand
{
    public static Command Create()
    {
        var devices = CliOptions.Int("--devices", "devices, each sent one decisive record (p50/p99/max over them; p99 is the max below 100)", 100, 1, 100_000);
        var warmup = CliOptions.Int("--warmup", "devices before the measured ones, not counted (JIT)", 1, 0, 100);
        var timeout = CliOptions.Int("--timeout", "seconds to wait for each device's alert before failing", 30, 1, 3600);
        var json = new Option<bool>("--json") { Description = "print one JSON object on stdout instead of the text lines" };
        var command = new Command("latency", "Measure alert latency: the real service in-process on loopback (embedded broker, SQLite in a temp folder, shipped rules); per device one CT-TUB-102 event (rule ct-tube-arc-shutdown fires on one), then the decisive record, a reading in the next hour that closes the event's hour (fusion opens alerts at the hour's close), published at QoS 1 and timed until that device's alert arrives on its MQTT alerts topic. The publish-to-PUBACK (store commit) time of the same record is the same-run baseline.")
        {
            devices, warmup, timeout, json,
        };
        command.SetAction(p => LatencyBench.RunAsync(
            new LatencyBenchOptions(p.GetValue(devices), p.GetValue(warmup), p.GetValue(timeout), p.GetValue(json)),
            p.InvocationConfiguration.Output,
            p.InvocationConfiguration.Error));
        return command;
    }
}
