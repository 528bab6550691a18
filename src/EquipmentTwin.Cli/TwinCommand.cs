using EquipmentTwin.Core.Catalog;
using EquipmentTwin.Service.Hosting;
using EquipmentTwin.Simulator;
using Microsoft.Extensions.Options;

namespace EquipmentTwin.Cli;

/// <summary>The <c>twin</c> command: dispatches to its sub-commands.</summary>
public static class TwinCommand
{
    private static readonly string Usage = $"""
        twin — EquipmentTwin, a digital twin of imaging equipment for predictive maintenance

        usage: twin <command> [options]

        commands:
          serve      run the twin service: embedded MQTT broker, ingest, store, HTTP API
                       --mqtt-port N     MQTT port (default 1883)
                       --http-port N     HTTP API port (default 5080)
                       --data-dir DIR    where the embedded store lives (default ./data)
                       --mqtt-bind ADDR  address the embedded broker listens on (default 127.0.0.1)
                       --http-bind ADDR  address the API listens on (default 127.0.0.1)
                       --embedded-broker false --mqtt-host H   subscribe to an external broker instead
                       --mqtt-url mqtt://H:P                   the same in one option
                       --store influx --influx-url URL [--influx-db NAME]   readings, events and
                                         maintenance in InfluxDB (v1 HTTP API); the rest in --data-dir
                       --simulate FILE   also run a simulated fleet live into the embedded broker
                       --acceleration X  event time per wall time for --simulate (default 3600)
                     every setting can also be given as --Section:Key value, in appsettings.json,
                     or as an environment variable EQUIPMENTTWIN__Section__Key
        {SimulateCommand.Usage}
        {EvaluateCommand.Usage}
        {CredentialsCommand.Usage}
        {RulCommand.Usage}
          bench ingest   measure ingest throughput through the real broker and store
                       --clients N --batches N --records N --inflight N --runs N
        {Store.StoreMigrateCommand.Usage}
          help       this text

        see README.md and docs/ for more.
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0 || args[0] is "help" or "--help" or "-h")
        {
            Console.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }

        var rest = args[1..];
        try
        {
            switch (args[0])
            {
                case "serve":
                    return await ServeAsync(rest);
                case "simulate":
                    return await SimulateCommand.RunAsync(rest);
                case "evaluate":
                    return EvaluateCommand.Evaluate(rest);
                case "train":
                    return EvaluateCommand.Train(rest);
                case "credentials":
                    return CredentialsCommand.Run(rest);
                case "rul":
                    return RulCommand.Run(rest);
                case "bench" when rest.Length > 0 && rest[0] == "ingest":
                    return await Bench.IngestBench.RunAsync(rest[1..]);
                case "store" when rest.Length > 0 && rest[0] == "migrate":
                    return Store.StoreMigrateCommand.Run(Store.StoreMigrateCommand.Parse(rest[1..]));
                default:
                    Console.Error.WriteLine($"twin: unknown command '{args[0]}'. Run 'twin help'.");
                    return 2;
            }
        }
        catch (SimulationConfigException ex)
        {
            Console.Error.WriteLine($"twin: {ex.Message}");
            return 1;
        }
        catch (Exception ex) when (ex is Analytics.Knowledge.RuleConfigException or Analytics.Physics.PhysicsConfigException)
        {
            Console.Error.WriteLine($"twin: {ex.Message}");
            return 1;
        }
        catch (Storage.Sqlite.StoreMigrationRequiredException ex)
        {
            Console.Error.WriteLine($"twin: {ex.Message}");
            return 1;
        }
        catch (CatalogException ex)
        {
            Console.Error.WriteLine($"twin: {ex.Message}");
            return 1;
        }
        catch (OptionsValidationException ex)
        {
            Console.Error.WriteLine($"twin: invalid settings: {string.Join("; ", ex.Failures)}");
            return 1;
        }
        catch (CommandLineException ex)
        {
            Console.Error.WriteLine($"twin: {ex.Message}");
            return 2;
        }
    }

    private static async Task<int> ServeAsync(string[] args)
    {
        var simulation = SimulateCommand.ExtractServeOptions(ref args);
        CommandLineException.ThrowIfUnknown(args, TwinServiceHost.SwitchMappings.Keys);
        await using var app = TwinServiceHost.Build(args, simulation is null ? null : services => SimulateCommand.AddLiveFleet(services, simulation));
        await app.RunAsync();
        return 0;
    }
}

/// <summary>A command line the user must correct.</summary>
public sealed class CommandLineException(string message) : Exception(message)
{
    /// <summary>Refuses flags that are neither known nor a <c>--Section:Key</c> setting, so a typo is not silently ignored.</summary>
    public static void ThrowIfUnknown(string[] args, IEnumerable<string> known)
    {
        var set = known.ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            var a = args[i];
            if (!a.StartsWith("--", StringComparison.Ordinal))
            {
                throw new CommandLineException($"unexpected argument '{a}'");
            }

            var name = a.Split('=', 2)[0];
            if (!set.Contains(name) && !name.Contains(':'))
            {
                throw new CommandLineException($"unknown option '{name}'. Run 'twin help'.");
            }

            if (!a.Contains('='))
            {
                if (i + 1 >= args.Length)
                {
                    throw new CommandLineException($"option '{name}' needs a value");
                }

                i++;
            }
        }
    }
}
