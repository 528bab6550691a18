using System.CommandLine;
using System.CommandLine.Parsing;
using EquipmentTwin.Edge.Hosting;

namespace EquipmentTwin.Edge.Commands;

/// <summary>
/// The options <c>run</c> and <c>check</c> share: <c>--config FILE</c> and the short flags of
/// <see cref="EdgeHost.SwitchMappings"/>, each a configuration key; any other <c>--Section:Key value</c> passes through.
/// </summary>
public sealed class AgentOptions
{
    private readonly Option<string> _config = new("--config") { Description = "configuration file (default: config/edge/appsettings.json beside the program)", HelpName = "FILE" };
    private readonly List<(Option Option, string Key)> _flags = [];

    public AgentOptions()
    {
        _config.Validators.Add(r =>
        {
            if (r.Tokens.Count > 0 && !File.Exists(r.Tokens[^1].Value))
            {
                r.AddError($"--config '{r.Tokens[^1].Value}': no such file");
            }
        });
        Text("--data-dir", "Edge:DataDir", "journal, seq, rejected lines and status.json (default ./data/edge)", "DIR");
        Text("--source", "Edge:Source", "the wire source id of this agent", "ID");
        Text("--site", "Edge:Site", "default site of the devices", "SITE");
        Text("--mqtt-host", "Mqtt:Host", "broker host (default 127.0.0.1)", "HOST");
        Port("--mqtt-port", "Mqtt:Port", "broker port (default 1883)", 1);
        Port("--http-port", "Http:Port", "status and metrics port; 0 turns it off (default 5091)", 0);
    }

    public void AddTo(Command command)
    {
        command.Options.Add(_config);
        foreach (var (option, _) in _flags)
        {
            command.Options.Add(option);
        }

        command.TreatUnmatchedTokensAsErrors = false;
        command.Description += " Any setting can also be given as --Section:Key value, in the configuration file, or as EQUIPMENTTWIN_EDGE__Section__Key.";
    }

    /// <summary>The arguments for <see cref="EdgeHost.Build"/>: <c>--config</c>, the flags as <c>--Section:Key value</c>, and the pass-through settings.</summary>
    public string[] ToHostArgs(ParseResult parseResult)
    {
        var args = new List<string>();
        if (parseResult.GetValue(_config) is { } config)
        {
            args.AddRange(["--config", config]);
        }

        foreach (var (option, key) in _flags)
        {
            if (parseResult.GetResult(option) is { Implicit: false } result && result.Tokens.Count > 0)
            {
                args.AddRange(["--" + key, result.Tokens[^1].Value]);
            }
        }

        var rest = parseResult.UnmatchedTokens;
        for (var i = 0; i < rest.Count; i++)
        {
            var name = rest[i].Split('=', 2)[0];
            if (!name.StartsWith("--", StringComparison.Ordinal) || !name.Contains(':'))
            {
                throw new EdgeUsageException(name.StartsWith('-') ? $"unknown option '{name}'" : $"unexpected argument '{rest[i]}'");
            }

            if (rest[i].Contains('='))
            {
                args.AddRange([name, rest[i][(name.Length + 1)..]]);
            }
            else if (i + 1 < rest.Count)
            {
                args.AddRange([name, rest[++i]]);
            }
            else
            {
                throw new EdgeUsageException($"option '{name}' needs a value");
            }
        }

        return [.. args];
    }

    private void Text(string flag, string key, string description, string helpName) =>
        _flags.Add((new Option<string>(flag) { Description = $"{description} [{key}]", HelpName = helpName }, key));

    private void Port(string flag, string key, string description, int min)
    {
        var option = new Option<int?>(flag) { Description = $"{description} [{key}]", HelpName = "N" };
        option.Validators.Add(r =>
        {
            if (r.Tokens.Count > 0 && int.TryParse(r.Tokens[^1].Value, out var v) && (v < min || v > 65535))
            {
                r.AddError($"{flag} {v} must be between {min} and 65535");
            }
        });
        _flags.Add((option, key));
    }
}
