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
                       --mode M            offline (count in-process), files (vendor logs), live (MQTT); default offline
                       --out DIR           files mode: where the logs go (default ./sim-out)
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
        var o = Parse(args, Known);
        var fleetPath = o.GetValueOrDefault("--fleet") ?? throw new CommandLineException("simulate needs --fleet FILE");
        var mode = o.GetValueOrDefault("--mode") ?? "offline";
        if (mode is not ("offline" or "files" or "live"))
        {
            throw new CommandLineException($"--mode '{mode}' is not offline, files or live");
        }

        var (fleet, faults, catalog) = Load(fleetPath, o.GetValueOrDefault("--faults"), o.GetValueOrDefault("--catalog"));
        var options = new SimulationOptions
        {
            Seed = o.TryGetValue("--seed", out var seed) ? ParseInt("--seed", seed) : 1,
            Days = o.TryGetValue("--days", out var days) ? ParsePositive("--days", days) : null,
            Start = o.TryGetValue("--start", out var start) ? (WireCodec.TryParseRfc3339(start, out var s) ? s : throw new CommandLineException($"--start '{start}' is not an RFC 3339 time")) : null,
            Detail = ParseDetail(o.GetValueOrDefault("--detail")),
            Parallelism = o.TryGetValue("--parallelism", out var par) ? ParseInt("--parallelism", par) : Environment.ProcessorCount,
        };
        var sim = new FleetSimulator(fleet, faults, catalog, options);
        var truthPath = o.GetValueOrDefault("--truth");
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
                var outDir = o.GetValueOrDefault("--out") ?? "sim-out";
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
            default:
                using (var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(c => c.SingleLine = true)))
                {
                    var publisher = new LiveFleetPublisher(sim, new LivePublishOptions
                    {
                        Host = o.GetValueOrDefault("--mqtt-host") ?? "127.0.0.1",
                        Port = o.TryGetValue("--mqtt-port", out var port) ? ParseInt("--mqtt-port", port) : 1883,
                        Acceleration = o.TryGetValue("--acceleration", out var acc) ? ParsePositive("--acceleration", acc) : 3600,
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

                truthPath ??= Path.Combine(o.GetValueOrDefault("--out") ?? ".", "ground-truth.json");
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
            var (name, inline) = SplitOption(args[i]);
            if (name is "--simulate" or "--acceleration")
            {
                var value = inline ?? (i + 1 < args.Length ? args[++i] : throw new CommandLineException($"option '{name}' needs a value"));
                if (name == "--simulate")
                {
                    fleetPath = value;
                }
                else
                {
                    acceleration = ParsePositive("--acceleration", value);
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

    private static (FleetDefinition, FaultLibrary, SignalCatalog) Load(string fleetPath, string? faultsDir, string? catalogDir)
    {
        var fleet = FleetLoader.Load(fleetPath);
        var faults = FaultLibrary.LoadDirectory(ResolveSeedDirectory(fleetPath, "faults", faultsDir));
        var catalog = SignalCatalog.LoadDirectory(ResolveSeedDirectory(fleetPath, "catalog", catalogDir));
        return (fleet, faults, catalog);
    }

    /// <summary>seeds/{name} beside the fleet's folder (seeds/fleets/x.json → seeds/{name}), else beside the program.</summary>
    private static string ResolveSeedDirectory(string fleetPath, string name, string? given)
    {
        if (given is not null)
        {
            return given;
        }

        var fleetDir = Path.GetDirectoryName(Path.GetFullPath(fleetPath)) ?? ".";
        var sibling = Path.Combine(fleetDir, "..", name);
        return Directory.Exists(sibling) ? Path.GetFullPath(sibling) : Path.Combine(AppContext.BaseDirectory, "seeds", name);
    }

    private static Dictionary<string, string> Parse(string[] args, string[] known)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            var (name, inline) = SplitOption(args[i]);
            if (!name.StartsWith("--", StringComparison.Ordinal))
            {
                throw new CommandLineException($"unexpected argument '{args[i]}'");
            }

            if (!known.Contains(name))
            {
                throw new CommandLineException($"unknown option '{name}'. Run 'twin help'.");
            }

            result[name] = inline ?? (i + 1 < args.Length ? args[++i] : throw new CommandLineException($"option '{name}' needs a value"));
        }

        return result;
    }

    private static (string Name, string? Value) SplitOption(string arg)
    {
        var eq = arg.IndexOf('=');
        return eq > 0 && arg.StartsWith("--", StringComparison.Ordinal) ? (arg[..eq], arg[(eq + 1)..]) : (arg, null);
    }

    private static int ParseInt(string name, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : throw new CommandLineException($"{name} '{value}' is not an integer");

    private static double ParsePositive(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d > 0 ? d : throw new CommandLineException($"{name} '{value}' must be a positive number");

    private static SimulationDetail ParseDetail(string? text) => text switch
    {
        null or "full" => SimulationDetail.Full,
        "summary" => SimulationDetail.Summary,
        _ => throw new CommandLineException($"--detail '{text}' is not full or summary"),
    };
}
