using System.CommandLine;
using EquipmentTwin.Cli.Bench;

namespace EquipmentTwin.Cli.Commands;

/// <summary><c>twin bench codec</c>: the wire decoder's speed and allocations against plain System.Text.Json passes.</summary>
public static class BenchCodecCommand
{
    public static Command Create()
    {
        var records = CliOptions.Int("--records", "records per logs payload", 500, 1, 10_000);
        var payloads = CliOptions.Int("--payloads", "payloads decoded per run", 2000, 1, 1_000_000);
        var runs = CliOptions.Int("--runs", "runs after one warm-up; the median is reported", 5, 1, 100);
        var json = new Option<bool>("--json") { Description = "print one JSON object on stdout instead of the text lines" };
        var command = new Command("codec", "Measure the wire decoder on logs payloads: MB/s, records/s and bytes allocated per record, beside a bare Utf8JsonReader pass and JsonDocument.Parse over the same payloads in the same run.")
        {
            records, payloads, runs, json,
        };
        command.SetAction(p => CodecBench.Run(new CodecBenchOptions(p.GetValue(records), p.GetValue(payloads), p.GetValue(runs), p.GetValue(json)), p.InvocationConfiguration.Output, p.InvocationConfiguration.Error));
        return command;
    }
}
