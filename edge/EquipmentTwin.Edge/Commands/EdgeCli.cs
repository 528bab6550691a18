using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using Microsoft.Extensions.Options;

namespace EquipmentTwin.Edge.Commands;

/// <summary>
/// The <c>twin-edge</c> command tree: <c>run</c>, <c>check</c>, <c>bench</c>. Help never starts the agent; a bare
/// <c>twin-edge --config FILE ...</c> still means <c>run</c>, a bare <c>twin-edge</c> prints help.
/// Exit codes as <c>twin</c>'s: 0 ok, 1 failure, 2 usage.
/// </summary>
public static class EdgeCli
{
    public const string ExitCodesText = "Exit codes: 0 ok, 1 failure (invalid configuration, missing file), 2 usage (unknown option, bad or missing value).";

    public static RootCommand CreateRoot()
    {
        var root = new RootCommand("twin-edge: the site agent. Tails vendor logs, journals them on disk and publishes them to the twin's MQTT broker (docs/edge.md).")
        {
            RunCommand.Create(),
            CheckCommand.Create(),
            EdgeBenchCommand.Create(),
            CompletionCommand.Create(),
        };
        var helpWords = new Argument<string[]>("command") { Arity = ArgumentArity.ZeroOrMore, Description = "the command to explain" };
        var help = new Command("help", "Show help for a command (the same as COMMAND --help)") { helpWords };
        help.SetAction(p => root.Parse([.. p.GetValue(helpWords) ?? [], "--help"]).Invoke(p.InvocationConfiguration));
        root.Subcommands.Add(help);
        foreach (var option in root.Options.OfType<HelpOption>())
        {
            if (option.Action is HelpAction inner)
            {
                option.Action = new HelpWithExitCodes(inner);
            }
        }

        root.SetAction(p =>
        {
            new HelpWithExitCodes(new HelpAction()).Invoke(p);
            return 2;
        });
        return root;
    }

    public static async Task<int> InvokeAsync(string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        // The bare form "twin-edge --config FILE ..." (scripts, services) keeps meaning "run".
        if (args.Length > 0 && args[0].StartsWith("--", StringComparison.Ordinal) && args[0] is not ("--help" or "--version"))
        {
            args = ["run", .. args];
        }

        var config = new InvocationConfiguration
        {
            Output = output ?? Console.Out,
            Error = error ?? Console.Error,
            EnableDefaultExceptionHandler = false,
            // The agent shuts down through the host's own Ctrl+C / SIGTERM handling.
            ProcessTerminationTimeout = null,
        };
        var parseResult = CreateRoot().Parse(args);
        var name = parseResult.CommandResult.Command is RootCommand ? "twin-edge" : "twin-edge " + parseResult.CommandResult.Command.Name;
        if (parseResult.Errors.Count > 0 && parseResult.Action is not CommandLineAction { ClearsParseErrors: true })
        {
            await config.Error.WriteLineAsync($"{name}: {string.Join("; ", parseResult.Errors.Select(e => Plain(e.Message)).Distinct())}. See '{name} --help'.");
            return 2;
        }

        try
        {
            return await parseResult.InvokeAsync(config);
        }
        catch (EdgeUsageException ex)
        {
            await config.Error.WriteLineAsync($"{name}: {ex.Message}. See '{name} --help'.");
            return 2;
        }
        catch (OptionsValidationException ex)
        {
            await config.Error.WriteLineAsync($"{name}: the configuration is not valid:");
            foreach (var failure in ex.Failures)
            {
                await config.Error.WriteLineAsync("  - " + failure);
            }

            return 1;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException or IOException or System.Text.Json.JsonException or InvalidDataException)
        {
            await config.Error.WriteLineAsync($"{name}: {ex.Message.ReplaceLineEndings(" ")}");
            return 1;
        }
    }

    private static string Plain(string message) => string.Join(' ', message.Split((char[])['\r', '\n', '\t', ' '], StringSplitOptions.RemoveEmptyEntries)).TrimEnd('.');

    private sealed class HelpWithExitCodes(HelpAction inner) : SynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            inner.Invoke(parseResult);
            parseResult.InvocationConfiguration.Output.WriteLine();
            parseResult.InvocationConfiguration.Output.WriteLine(ExitCodesText);
            return 0;
        }
    }
}

/// <summary>A command line the user must correct (exit 2).</summary>
public sealed class EdgeUsageException(string message) : Exception(message);
