using System.CommandLine;
using EquipmentTwin.Cli.Bench;

namespace EquipmentTwin.Cli.Commands;

/// <summary><c>twin bench store</c>: bytes per reading and range queries over one signal's days.</summary>
public static class BenchStoreCommand
{
    public static Command Create()
    {
        var days = CliOptions.Int("--days", "days of one signal to write", 30, 1, 3660);
        var interval = CliOptions.Int("--interval-ms", "milliseconds between readings", 1000, 1, 86_400_000);
        var queries = CliOptions.Int("--queries", "times each query is timed (p50/p99)", 30, 1, 100_000);
        var points = CliOptions.Int("--points", "buckets of the downsampled queries", 2000, 1, 1_000_000);
        var json = new Option<bool>("--json") { Description = "print one JSON object on stdout instead of the text lines" };
        var command = new Command("store", "Measure the embedded store: one signal over N days written through SQLite (temp folder), bytes per reading on disk, and range queries over 1 day and the whole span, raw and downsampled (p50/p99 ms), with the downsampled answer checked against the raw readings. The raw read of the whole span is the baseline.")
        {
            days, interval, queries, points, json,
        };
        command.SetAction(p => StoreBench.RunAsync(
            new StoreBenchOptions(p.GetValue(days), p.GetValue(interval), p.GetValue(queries), p.GetValue(points), p.GetValue(json)),
            p.InvocationConfiguration.Output,
            p.InvocationConfiguration.Error));
        return command;
    }
}
