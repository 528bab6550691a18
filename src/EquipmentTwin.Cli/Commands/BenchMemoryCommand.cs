using System.CommandLine;
using System.Globalization;
using EquipmentTwin.Cli.Bench;
using EquipmentTwin.Cli.Fleets;

namespace EquipmentTwin.Cli.Commands;

/// <summary><c>twin bench memory</c>: heap bytes per live twin with full analytics windows, beside the pipeline with no device.</summary>
public static class BenchMemoryCommand
{
    public static Command Create()
    {
        var devices = CliOptions.Text("--devices", "device counts, comma-separated; each gets a fresh pipeline and its own baseline (10,000 take about 4.2 GiB and an hour or more to fill, see docs/performance.md)", "100,1000", "N,N");
        CliOptions.Check(devices, v => Parse(v) is null ? $"--devices '{v}' is not a comma-separated list of counts from 1 to 100000" : null);
        var days = CliOptions.Positive("--days", "days of readings per device (default 60: the hourly window's length; the last 2 days every 5 minutes)", "N");
        var fleet = CliOptions.ExistingFile("--fleet", "fleet whose healthy run trains the anomaly models (default seeds/fleets/reference.json beside the program)");
        var models = CliOptions.ExistingDirectory("--models", "anomaly models to use (default: train them on a short healthy run, see --training-days)");
        var trainingDays = CliOptions.Positive("--training-days", "days of the healthy run the anomaly models are trained on without --models (default 2)", "N");
        var rules = CliOptions.ExistingDirectory("--rules", "knowledge rules folder (default config/rules beside the program)");
        var physics = CliOptions.ExistingDirectory("--physics", "physics models folder (default config/physics beside the program)");
        var plot = CliOptions.OutputPath("--plot", "also draw the heap against device count as a PNG (memory-vs-devices.png) into DIR", "DIR");
        var json = new Option<bool>("--json") { Description = "print one JSON object on stdout instead of the text lines" };
        var command = new Command("memory", "Measure the managed heap of live twins (rules, physics, anomaly, fusion) with full analytics windows after a full GC: bytes per device, beside the same pipeline with no device measured in the same run.")
        {
            devices, days, fleet, models, trainingDays, rules, physics, plot, json,
        };
        command.SetAction(p => MemoryBench.Run(
            new MemoryBenchOptions(
                Parse(p.GetValue(devices))!,
                p.GetValue(days) ?? 60,
                p.GetValue(fleet) ?? FleetFiles.BesideProgram("seeds", "fleets", "reference.json"),
                p.GetValue(models),
                p.GetValue(trainingDays) ?? 2,
                p.GetValue(rules) ?? FleetFiles.BesideProgram("config", "rules"),
                p.GetValue(physics) ?? FleetFiles.BesideProgram("config", "physics"),
                p.GetValue(json),
                p.GetValue(plot)),
            p.InvocationConfiguration.Output,
            p.InvocationConfiguration.Error));
        return command;
    }

    private static int[]? Parse(string? text)
    {
        var parts = (text ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var counts = new List<int>();
        foreach (var part in parts)
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n is < 1 or > 100_000)
            {
                return null;
            }

            counts.Add(n);
        }

        return counts.Count > 0 ? [.. counts] : null;
    }
}
