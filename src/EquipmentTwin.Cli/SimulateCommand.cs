using System.Diagnostics;
using System.Globalization;
using EquipmentTwin.Core.Catalog;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Service.Hosting;
using EquipmentTwin.Simulator;
using EquipmentTwin.Simulator.Faults;
using EquipmentTwin.Simulator.Fleets;
using EquipmentTwin.Simulator.Output;
using EquipmentTwin.Simulator.Simulation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EquipmentTwin.Cli;

/// <summary><c>twin simulate</c>: runs a fleet file offline, to vendor log files, or live over MQTT; and the <c>--simulate</c> option of <c>twin serve</c>.</summary>
public static class SimulateCommand
{
    public const string Usage = """
          simulate   run a simulated fleet (docs/simulator.md)
                       --fleet FILE        fleet file, e.g. seeds/fleets/demo.json (required)
                       --days N            event-time length (default: the fleet's, else 30)
                       --seed N            random seed (default 1); same seed, same output
                       --start RFC3339     event-time start (default: the fleet's, else 2026-01-05T00:00:00Z)
                       --mode M            offline (count in-process), files (vendor logs), live (MQTT),
                                           histories (run-to-failure CSV per modality and component for 'twin rul fit'); default offline
                       --out DIR           files and histories modes: where the output goes (default ./sim-out)
                       --truth FILE        write the ground truth JSON here (files mode: {out}/ground-truth.json by default)
                       --detail D          full (every line) or summary (each signal at most every 5 min); default full
                       --mqtt-host H --mqtt-port N   live mode broker (default 127.0.0.1:1883)
                       --acceleration X    live mode: event time per wall time (default 3600 = an hour per second)
                       --faults DIR --catalog DIR    fault scenarios and signal catalogs (default: beside the fleet's folder)
        """;

    private static readonly string[] Known =
        ["--fleet", "--days", "--seed", "--start", "--mode", "--out", "--truth", "--detail", "--mqtt-host", "--mqtt-port", "--acceleration", "--faults", "--catalog", "--parallelism"];

    public static async Task<int> RunAsync(string[] args)
    {
        var o = CommandOptions.Parse(args, Known);
        var fleetPath = o.Get("--fleet") ?? throw new CommandLineException("simulate needs --fleet FILE");
        var mode = o.Get("--mode") ?? "offline";
        if (mode is not ("offline" or "files" or "live" or "histories"))
        {
            throw new CommandLineException($"--mode '{mode}' is not offline, files, live or histories");
        }

        var (fleet, faults, catalog) = Load(fleetPath, o.Get("--faults"), o.Get("--catalog"));
        var options = new SimulationOptions
        {
            Seed = o.Int("--seed", 1),
            Days = o.PositiveOrNull("--days"),
            Start = o.Get("--start") is { } start ? (WireCodec.TryParseRfc3339(start, out var s) ? s : throw new CommandLineException($"--start '{start}' is not an RFC 3339 time")) : null,
            Detail = ParseDetail(o.Get("--detail")),
            Parallelism = o.Int("--parallelism", Environment.ProcessorCount),
        };
        var sim = new FleetSimulator(fleet, faults, catalog, options);
        var truthPath = o.Get("--truth");
        Console.Error.WriteLine($"fleet {fleet.Name}: {fleet.Devices.Count} devices on {fleet.Sites.Count} sites, {WireCodec.FormatRfc3339(sim.StartMs)} to {WireCodec.FormatRfc3339(sim.EndMs)}, seed {options.Seed}, detail {options.Detail.ToString().ToLowerInvariant()}, mode {mode}");

        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cts.Cancel();
        };

        var watch = Stopwatch.StartNew();
        long records = 0, events = 0, maintenance = 0;
        switch (mode)
        {
            case "offline":
                foreach (var step in sim.Run())
                {
                    records += step.Records.Count;
                    maintenance += step.Maintenance.Count;
                    foreach (var r in step.Records)
                    {
                        if (r.Type == RecordType.Event)
                        {
                            events++;
                        }
                    }
                }

                break;
            case "files":
                var outDir = o.Get("--out") ?? "sim-out";
                using (var writer = new VendorLogWriter(outDir, catalog, sim.Devices))
                {
                    foreach (var step in sim.Run())
                    {
                        records += step.Records.Count;
                        maintenance += step.Maintenance.Count;
                        foreach (var r in step.Records)
                        {
                            events += r.Type == RecordType.Event ? 1 : 0;
                        }

                        writer.Write(step);
                    }
                }

                truthPath ??= Path.Combine(outDir, "ground-truth.json");
                Console.Error.WriteLine($"logs in {Path.GetFullPath(outDir)}");
                break;
            case "histories":
                var historiesDir = o.Get("--out") ?? "sim-out";
                (records, events, maintenance) = HistoriesExport.Run(sim, historiesDir);
                truthPath ??= Path.Combine(historiesDir, "ground-truth.json");
                break;
            default:
                using (var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(c => c.SingleLine = true)))
                {
                    var publisher = new LiveFleetPublisher(sim, new LivePublishOptions
                    {
                        Host = o.Get("--mqtt-host") ?? "127.0.0.1",
                        Port = o.Int("--mqtt-port", 1883),
                        Acceleration = o.PositiveOrNull("--acceleration") ?? 3600,
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

                truthPath ??= Path.Combine(o.Get("--out") ?? ".", "ground-truth.json");
                break;
        }

        watch.Stop();
        var truth = sim.GroundTruth;
        if (truthPath is not null)
        {
            GroundTruthWriter.Write(truth, truthPath);
        }

        var machine = truth.Faults.Where(f => f.Kind == "machine").ToList();
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(inv, $"devices      {sim.Devices.Count} ({string.Join(", ", sim.Devices.GroupBy(d => d.Modality).Select(g => $"{g.Count()} {g.Key.ToWire()}"))})"));
        var eventsText = mode == "live" ? "" : string.Create(inv, $" ({events:N0} events)");
        Console.WriteLine(string.Create(inv, $"records      {records:N0}{eventsText}"));
        Console.WriteLine(string.Create(inv, $"maintenance  {maintenance:N0} records"));
        Console.WriteLine(string.Create(inv, $"faults       {truth.Faults.Count} injected: {machine.Count} machine ({machine.Count(f => f.Failure is not null)} failed, {machine.Count(f => f.Repair is not null)} repaired), {truth.Faults.Count - machine.Count} sensor"));
        Console.WriteLine(string.Create(inv, $"wall time    {watch.Elapsed.TotalSeconds:0.00} s"));
        Console.WriteLine(string.Create(inv, $"throughput   {records / Math.Max(1e-9, watch.Elapsed.TotalSeconds):N0} records/s"));
        if (truthPath is not null)
        {
            Console.WriteLine($"ground truth {Path.GetFullPath(truthPath)}");
        }

        return 0;
    }

    /// <summary>
    /// Takes <c>--simulate FILE</c> and <c>--acceleration X</c> out of <c>twin serve</c>'s arguments; when present,
    /// checks the fleet now (a bad file fails before the service starts) and lets simulated time run ahead of the wall clock.
    /// </summary>
    public static LiveSimulationSettings? ExtractServeOptions(ref string[] args)
    {
        string? fleetPath = null;
        double acceleration = 3600;
        var rest = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var (name, inline) = CommandOptions.Split(args[i]);
            if (name is "--simulate" or "--acceleration")
            {
                var value = inline ?? (i + 1 < args.Length ? args[++i] : throw new CommandLineException($"option '{name}' needs a value"));
                if (name == "--simulate")
                {
                    fleetPath = value;
                }
                else
                {
                    acceleration = CommandOptions.ParsePositive("--acceleration", value);
                }

                continue;
            }

            rest.Add(args[i]);
        }

        if (fleetPath is null)
        {
            args = [.. rest];
            return null;
        }

        var faultsDir = ResolveSeedDirectory(fleetPath, "faults", null);
        var catalogDir = ResolveSeedDirectory(fleetPath, "catalog", null);
        var (fleet, faults, catalog) = Load(fleetPath, faultsDir, catalogDir);
        _ = new FleetSimulator(fleet, faults, catalog, new SimulationOptions { Days = 1 / 24.0 });
        rest.Add("--Ingest:MaxFutureSkewMinutes");
        rest.Add("0");
        args = [.. rest];
        return new LiveSimulationSettings
        {
            FleetPath = fleetPath,
            FaultsDirectory = faultsDir,
            CatalogDirectory = catalogDir,
            Acceleration = acceleration,
            Port = 0,
        };
    }

    /// <summary>Adds the live fleet to the service; it publishes to the embedded broker (or the external one the service uses).</summary>
    public static void AddLiveFleet(IServiceCollection services, LiveSimulationSettings settings) =>
        services.AddHostedService(sp =>
        {
            var mqtt = sp.GetRequiredService<IOptions<MqttOptions>>().Value;
            var host = mqtt.Embedded ? (mqtt.Bind is "0.0.0.0" or "::" ? "127.0.0.1" : mqtt.Bind) : mqtt.Host;
            return new SimulatedFleetService(settings with { Host = host, Port = mqtt.Port }, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<SimulatedFleetService>>());
        });

    /// <summary>A fleet with its fault scenarios and catalogs, found beside it unless given.</summary>
    internal static (FleetDefinition Fleet, FaultLibrary Faults, SignalCatalog Catalog) Load(string fleetPath, string? faultsDir, string? catalogDir)
    {
        var fleet = FleetLoader.Load(fleetPath);
        var faults = FaultLibrary.LoadDirectory(ResolveSeedDirectory(fleetPath, "faults", faultsDir));
        var catalog = SignalCatalog.LoadDirectory(ResolveSeedDirectory(fleetPath, "catalog", catalogDir));
        return (fleet, faults, catalog);
    }

    /// <summary>seeds/{name} beside the fleet's folder (seeds/fleets/x.json → seeds/{name}), else beside the program.</summary>
    internal static string ResolveSeedDirectory(string fleetPath, string name, string? given)
    {
        if (given is not null)
        {
            return given;
        }

        var fleetDir = Path.GetDirectoryName(Path.GetFullPath(fleetPath)) ?? ".";
        var sibling = Path.Combine(fleetDir, "..", name);
        return Directory.Exists(sibling) ? Path.GetFullPath(sibling) : Path.Combine(AppContext.BaseDirectory, "seeds", name);
    }

    private static SimulationDetail ParseDetail(string? text) => text switch
    {
        null or "full" => SimulationDetail.Full,
        "summary" => SimulationDetail.Summary,
        _ => throw new CommandLineException($"--detail '{text}' is not full or summary"),
    };
}
