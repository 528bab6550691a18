using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using EquipmentTwin.Cli.Fleets;
using EquipmentTwin.Cli.Progress;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Simulator;
using EquipmentTwin.Simulator.Output;
using EquipmentTwin.Simulator.Simulation;
using Microsoft.Extensions.Logging;

namespace EquipmentTwin.Cli.Commands;

/// <summary>What <c>twin simulate</c> was asked for.</summary>
public sealed record SimulateSettings(
    string Fleet,
    double? Days,
    int Seed,
    DateTimeOffset? Start,
    string Mode,
    string? Out,
    string? Truth,
    SimulationDetail Detail,
    string MqttHost,
    int MqttPort,
    double Acceleration,
    string? Faults,
    string? Catalog,
    int Parallelism);

/// <summary><c>twin simulate</c>: runs a fleet file offline, to vendor log files, or live over MQTT (docs/simulator.md).</summary>
public static class SimulateCommand
{
    public static Command Create()
    {
        var fleet = SharedOptions.Fleet();
        var days = SharedOptions.Days("default: the fleet's, else 30");
        var seed = SharedOptions.Seed();
        var start = new Option<string>("--start") { Description = "event-time start (default: the fleet's, else 2026-01-05T00:00:00Z)", HelpName = "RFC3339" };
        CliOptions.Check(start, v => v is not null && !WireCodec.TryParseRfc3339(v, out _) ? $"--start '{v}' is not an RFC 3339 time (e.g. 2026-01-05T00:00:00Z)" : null);
        var mode = CliOptions.Text("--mode", "offline (count in-process), files (vendor logs), live (MQTT), histories (run-to-failure CSV per modality and component for 'twin rul fit')", "offline", "MODE", "offline", "files", "live", "histories");
        var output = CliOptions.OutputPath("--out", "files and histories modes: where the output goes (default ./sim-out)", "DIR");
        var truth = CliOptions.OutputPath("--truth", "write the ground truth JSON here (files mode: {out}/ground-truth.json by default)", "FILE");
        var detail = CliOptions.Text("--detail", "full (every line) or summary (each signal at most every 5 min)", "full", "DETAIL", "full", "summary");
        var mqttHost = CliOptions.Text("--mqtt-host", "live mode broker host", "127.0.0.1", "HOST");
        var mqttPort = CliOptions.Int("--mqtt-port", "live mode broker port", 1883, 1, 65535);
        var acceleration = CliOptions.Positive("--acceleration", "live mode: event time per wall time (default 3600 = an hour per second)");
        var faults = SharedOptions.Faults();
        var catalog = SharedOptions.Catalog();
        var parallelism = CliOptions.Int("--parallelism", "devices simulated at once", Environment.ProcessorCount, 1, 1024);

        var command = new Command("simulate", "Run a simulated fleet offline, to vendor log files, or live over MQTT (docs/simulator.md). The summary goes to stdout, progress to stderr.")
        {
            fleet, days, seed, start, mode, output, truth, detail, mqttHost, mqttPort, acceleration, faults, catalog, parallelism,
        };
        command.SetAction((p, ct) => RunAsync(
            new SimulateSettings(
                p.GetValue(fleet)!,
                p.GetValue(days),
                p.GetValue(seed),
                p.GetValue(start) is { } s && WireCodec.TryParseRfc3339(s, out var t) ? t : null,
                p.GetValue(mode)!,
                p.GetValue(output),
                p.GetValue(truth),
                p.GetValue(detail) == "summary" ? SimulationDetail.Summary : SimulationDetail.Full,
                p.GetValue(mqttHost)!,
                p.GetValue(mqttPort),
                p.GetValue(acceleration) ?? 3600,
                p.GetValue(faults),
                p.GetValue(catalog),
                p.GetValue(parallelism)),
            ct));
        return command;
    }

    public static async Task<int> RunAsync(SimulateSettings o, CancellationToken cancellationToken)
    {
        var (fleet, faults, catalog) = FleetFiles.Load(o.Fleet, o.Faults, o.Catalog);
        var options = new SimulationOptions
        {
            Seed = o.Seed,
            Days = o.Days,
            Start = o.Start,
            Detail = o.Detail,
            Parallelism = o.Parallelism,
        };
        var sim = new FleetSimulator(fleet, faults, catalog, options);
        var truthPath = o.Truth;
        Console.Error.WriteLine($"fleet {fleet.Name}: {fleet.Devices.Count} devices on {fleet.Sites.Count} sites, {WireCodec.FormatRfc3339(sim.StartMs)} to {WireCodec.FormatRfc3339(sim.EndMs)}, seed {options.Seed}, detail {options.Detail.ToString().ToLowerInvariant()}, mode {o.Mode}");

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            cts.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            var watch = Stopwatch.StartNew();
            long records = 0, events = 0, maintenance = 0;
            using var progress = o.Mode == "live" ? null : ConsoleProgress.Start("twin simulate");
            var simulating = $"simulating {sim.Devices.Count} devices for {(sim.EndMs - sim.StartMs) / 86_400_000.0:0.#} days";
            switch (o.Mode)
            {
                case "offline":
                    foreach (var step in sim.RunTracked(progress, simulating))
                    {
                        records += step.Records.Count;
                        maintenance += step.Maintenance.Count;
                        events += CountEvents(step.Records);
                    }

                    break;
                case "files":
                    var outDir = o.Out ?? "sim-out";
                    using (var writer = new VendorLogWriter(outDir, catalog, sim.Devices))
                    {
                        foreach (var step in sim.RunTracked(progress, simulating + " to vendor log files"))
                        {
                            records += step.Records.Count;
                            maintenance += step.Maintenance.Count;
                            events += CountEvents(step.Records);
                            writer.Write(step);
                        }
                    }

                    truthPath ??= Path.Combine(outDir, "ground-truth.json");
                    progress?.Step($"logs in {Path.GetFullPath(outDir)}");
                    break;
                case "histories":
                    var historiesDir = o.Out ?? "sim-out";
                    (records, events, maintenance) = HistoriesExport.Run(sim, historiesDir, progress);
                    truthPath ??= Path.Combine(historiesDir, "ground-truth.json");
                    break;
                default:
                    using (var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(c => c.SingleLine = true)))
                    {
                        var publisher = new LiveFleetPublisher(sim, new LivePublishOptions
                        {
                            Host = o.MqttHost,
                            Port = o.MqttPort,
                            Acceleration = o.Acceleration,
                        }, TimeProvider.System, loggerFactory.CreateLogger<LiveFleetPublisher>());
                        try
                        {
                            var summary = await publisher.RunAsync(cts.Token);
                            records = summary.Records;
                            maintenance = summary.MaintenanceRecords;
                        }
                        catch (OperationCanceledException) when (cts.IsCancellationRequested)
                        {
                            Console.Error.WriteLine("stopped");
                        }
                    }

                    truthPath ??= Path.Combine(o.Out ?? ".", "ground-truth.json");
                    break;
            }

            watch.Stop();
            progress?.Dispose();
            var truth = sim.GroundTruth;
            if (truthPath is not null)
            {
                GroundTruthWriter.Write(truth, truthPath);
            }

            var machine = truth.Faults.Where(f => f.Kind == "machine").ToList();
            var inv = CultureInfo.InvariantCulture;
            Console.WriteLine(string.Create(inv, $"devices      {sim.Devices.Count} ({string.Join(", ", sim.Devices.GroupBy(d => d.Modality).Select(g => $"{g.Count()} {g.Key.ToWire()}"))})"));
            var eventsText = o.Mode == "live" ? "" : string.Create(inv, $" ({events:N0} events)");
            Console.WriteLine(string.Create(inv, $"records      {records:N0}{eventsText}"));
            Console.WriteLine(string.Create(inv, $"maintenance  {maintenance:N0} records"));
            Console.WriteLine(string.Create(inv, $"faults       {truth.Faults.Count} injected: {machine.Count} machine ({machine.Count(f => f.Failure is not null)} failed, {machine.Count(f => f.Repair is not null)} repaired), {truth.Faults.Count - machine.Count} sensor"));
            Console.WriteLine(string.Create(inv, $"wall time    {watch.Elapsed.TotalSeconds:0.00} s"));
            Console.WriteLine(string.Create(inv, $"throughput   {records / Math.Max(1e-9, watch.Elapsed.TotalSeconds):N0} records/s"));
            if (truthPath is not null)
            {
                Console.WriteLine($"ground truth {Path.GetFullPath(truthPath)}");
            }

            return ExitCodes.Ok;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    private static long CountEvents(IReadOnlyList<LogRecord> records)
    {
        long n = 0;
        foreach (var r in records)
        {
            n += r.Type == RecordType.Event ? 1 : 0;
        }

        return n;
    }
}
