using System.CommandLine;
using EquipmentTwin.Cli.Fleets;
using EquipmentTwin.Cli.Serving;
using EquipmentTwin.Service.Hosting;

namespace EquipmentTwin.Cli.Commands;

/// <summary>What <c>twin serve</c> was asked for: configuration overrides (<c>--Section:Key value</c> pairs) and an optional live fleet.</summary>
public sealed record ServeSettings(IReadOnlyList<string> ConfigurationArgs, string? SimulateFleet, double Acceleration);

/// <summary>
/// <c>twin serve</c>. Every flag is a configuration key (one source of truth: the same key in appsettings.json and
/// <c>EQUIPMENTTWIN__Section__Key</c>); any other <c>--Section:Key value</c> passes through to configuration.
/// </summary>
public static class ServeCommand
{
    /// <summary>The flags and the configuration keys they set. The same names as <see cref="TwinServiceHost.SwitchMappings"/>, plus those of the production shape.</summary>
    private static readonly (string Flag, string Key, string Description, Func<string, string, Option> Create)[] Flags =
    [
        ("--mqtt-port", "Mqtt:Port", "MQTT port: the embedded broker's, or the external broker's (default 1883)", (n, d) => CliOptions.Port(n, d)),
        ("--mqtt-host", "Mqtt:Host", "external broker host, with --embedded-broker false (default 127.0.0.1)", (n, d) => Text(n, d, "HOST")),
        ("--mqtt-bind", "Mqtt:Bind", "address the embedded broker listens on; 0.0.0.0 for devices on the site network (default 127.0.0.1)", (n, d) => Address(n, d)),
        ("--mqtt-url", "Mqtt:Url", "external broker as mqtt://host:port or mqtts://host:port", (n, d) => Url(n, d, "mqtt", "mqtts", "tcp", "ssl")),
        ("--embedded-broker", "Mqtt:Embedded", "run the MQTT broker inside the service (default true); false subscribes to an external broker", (n, d) => new Option<bool?>(n) { Description = d, HelpName = "true|false" }),
        ("--http-port", "Http:Port", "HTTP port of the API and dashboard (default 5080; 0 picks a free one)", (n, d) => CliOptions.Port(n, d, allowZero: true)),
        ("--http-bind", "Http:Bind", "address the API and dashboard listen on (default 127.0.0.1)", (n, d) => Address(n, d)),
        ("--data-dir", "Store:DataDir", "where the embedded store lives (default ./data)", (n, d) => CliOptions.OutputPath(n, d, "DIR")),
        ("--store", "Store:Kind", "telemetry store: sqlite (default) or influx", (n, d) => CliOptions.Text(n, d, null, "KIND", "sqlite", "influx")),
        ("--influx-url", "Influx:Url", "InfluxDB URL, with --store influx (e.g. http://127.0.0.1:8086)", (n, d) => Url(n, d, "http", "https")),
        ("--influx-db", "Influx:Database", "InfluxDB database (bucket), with --store influx", (n, d) => Text(n, d, "NAME")),
        ("--log-format", "Logging:Format", "log lines: simple (default) or json (one JSON object per line, for a log shipper)", (n, d) => CliOptions.Text(n, d, null, "FORMAT", "simple", "json")),
        ("--catalog", "Catalog:Directory", "folder of signal catalogs (default seeds/catalog beside the program)", (n, d) => CliOptions.ExistingDirectory(n, d)),
    ];

    public static Command Create()
    {
        var command = new Command("serve", "Run the twin service: embedded MQTT broker, ingest, store, analytics, HTTP API and dashboard. Prints the dashboard URL, MQTT endpoint, data folder and store once ready; stops with one line naming the setting when a setting is invalid, a port is in use or the data folder is not writable.")
        {
            // --Section:Key value for any other setting.
            TreatUnmatchedTokensAsErrors = false,
        };
        var mapped = new List<(Option Option, string Key)>();
        foreach (var (flag, key, description, create) in Flags)
        {
            var option = create(flag, $"{description} [{key}]");
            command.Options.Add(option);
            mapped.Add((option, key));
        }

        var simulate = CliOptions.ExistingFile("--simulate", "also run this simulated fleet live into the service (e.g. seeds/fleets/demo.json)");
        var acceleration = CliOptions.Positive("--acceleration", "event time per wall time for --simulate (default 3600: an hour per second)");
        command.Options.Add(simulate);
        command.Options.Add(acceleration);
        command.Description += " Any setting can also be given as --Section:Key value, in appsettings.json, or as the environment variable EQUIPMENTTWIN__Section__Key (docs/operations.md).";

        command.SetAction((parseResult, cancellationToken) =>
        {
            var args = new List<string>();
            foreach (var (option, key) in mapped)
            {
                // The value as typed (already checked against the option's type and range); a bare boolean flag means true.
                if (parseResult.GetResult(option) is { Implicit: false } result)
                {
                    args.Add("--" + key);
                    args.Add(result.Tokens.Count == 0 ? "true" : result.Tokens[^1].Value);
                }
            }

            args.AddRange(PassThrough(parseResult.UnmatchedTokens));
            var settings = new ServeSettings(args, parseResult.GetValue(simulate), parseResult.GetValue(acceleration) ?? 3600);
            return ServeRunner.RunAsync(settings, Console.Out, cancellationToken);
        });
        return command;
    }

    /// <summary>The flag names of <c>twin serve</c> and the configuration keys they set.</summary>
    public static IReadOnlyDictionary<string, string> FlagKeys { get; } = Flags.ToDictionary(f => f.Flag, f => f.Key);

    /// <summary>Checks the tokens no flag took: only <c>--Section:Key value</c> or <c>--Section:Key=value</c> pass.</summary>
    public static IReadOnlyList<string> PassThrough(IReadOnlyList<string> tokens)
    {
        var args = new List<string>();
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            var name = token.Split('=', 2)[0];
            if (!name.StartsWith("--", StringComparison.Ordinal) || !name.Contains(':') || name.Length < 5)
            {
                throw new CommandLineException(token.StartsWith('-') ? $"unknown option '{name}'" : $"unexpected argument '{token}'");
            }

            if (token.Contains('='))
            {
                args.Add(name);
                args.Add(token[(name.Length + 1)..]);
                continue;
            }

            if (i + 1 >= tokens.Count)
            {
                throw new CommandLineException($"option '{name}' needs a value");
            }

            args.Add(name);
            args.Add(tokens[++i]);
        }

        return args;
    }

    private static Option<string> Text(string name, string description, string helpName) => new(name) { Description = description, HelpName = helpName };

    private static Option<string> Address(string name, string description)
    {
        var option = new Option<string>(name) { Description = description, HelpName = "ADDRESS" };
        CliOptions.Check(option, v => v is not null && !System.Net.IPAddress.TryParse(v, out _) ? $"{name} '{v}' is not an IP address (e.g. 127.0.0.1 or 0.0.0.0)" : null);
        return option;
    }

    private static Option<string> Url(string name, string description, params string[] schemes)
    {
        var option = new Option<string>(name) { Description = description, HelpName = "URL" };
        CliOptions.Check(option, v => v is not null && !(Uri.TryCreate(v, UriKind.Absolute, out var uri) && schemes.Contains(uri.Scheme)) ? $"{name} '{v}' is not a {string.Join(" or ", schemes.Select(s => s + "://"))} URL" : null);
        return option;
    }
}
