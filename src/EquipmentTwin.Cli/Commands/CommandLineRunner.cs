using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using EquipmentTwin.Analytics.Knowledge;
using EquipmentTwin.Analytics.Physics;
using EquipmentTwin.Core.Catalog;
using EquipmentTwin.Simulator;
using Microsoft.Extensions.Options;

namespace EquipmentTwin.Cli.Commands;

/// <summary>
/// Parses and runs a command tree with one convention: help on every command (ending with the exit codes),
/// a parse error as one line on stderr with exit 2, a failure as one line with exit 1, never a stack trace
/// unless <c>EQUIPMENTTWIN_TRACE=1</c>.
/// </summary>
public static partial class CommandLineRunner
{
    /// <summary>Set to 1 to print the stack trace of an unexpected failure.</summary>
    public const string TraceVariable = "EQUIPMENTTWIN_TRACE";

    /// <summary>Makes help print the exit codes, and a bare root command print help with exit 2.</summary>
    public static void Prepare(RootCommand root)
    {
        foreach (var help in root.Options.OfType<HelpOption>())
        {
            if (help.Action is HelpAction inner)
            {
                help.Action = new HelpWithExitCodes(inner);
            }
        }

        root.SetAction(parseResult =>
        {
            WriteHelp(parseResult);
            return ExitCodes.Usage;
        });
    }

    /// <summary>Writes the help of the command <paramref name="parseResult"/> names.</summary>
    public static void WriteHelp(ParseResult parseResult)
    {
        new HelpAction().Invoke(parseResult);
        parseResult.InvocationConfiguration.Output.WriteLine();
        parseResult.InvocationConfiguration.Output.WriteLine(ExitCodes.HelpText);
    }

    public static async Task<int> InvokeAsync(RootCommand root, string program, string[] args, TextWriter? output = null, TextWriter? error = null, CancellationToken cancellationToken = default)
    {
        var config = new InvocationConfiguration
        {
            Output = output ?? Console.Out,
            Error = error ?? Console.Error,
            EnableDefaultExceptionHandler = false,
            // Commands that run until stopped (serve, twin-edge run) shut down through the host's own Ctrl+C handling.
            ProcessTerminationTimeout = null,
        };
        var parseResult = root.Parse(args);
        var clearsErrors = parseResult.Action is CommandLineAction { ClearsParseErrors: true };
        if (parseResult.Errors.Count > 0 && !clearsErrors)
        {
            var messages = parseResult.Errors.Select(e => Plain(e.Message)).Distinct();
            await config.Error.WriteLineAsync($"{CommandPath(parseResult, program)}: {string.Join("; ", messages)}. See '{CommandPath(parseResult, program)} --help'.");
            return ExitCodes.Usage;
        }

        try
        {
            return await parseResult.InvokeAsync(config, cancellationToken);
        }
        catch (CommandLineException ex)
        {
            await config.Error.WriteLineAsync($"{CommandPath(parseResult, program)}: {ex.Message}. See '{CommandPath(parseResult, program)} --help'.");
            return ExitCodes.Usage;
        }
        catch (OptionsValidationException ex)
        {
            await config.Error.WriteLineAsync($"{CommandPath(parseResult, program)}: invalid setting {string.Join("; ", ex.Failures.Select(f => SettingFailure(ex.OptionsType, f)))}");
            return ExitCodes.Failure;
        }
        catch (Exception ex) when (ex is OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            await config.Error.WriteLineAsync($"{CommandPath(parseResult, program)}: stopped");
            return ExitCodes.Failure;
        }
        catch (Exception ex) when (IsInputProblem(ex))
        {
            await config.Error.WriteLineAsync($"{CommandPath(parseResult, program)}: {OneLine(ex.Message)}");
            return ExitCodes.Failure;
        }
        catch (Exception ex)
        {
            var trace = Environment.GetEnvironmentVariable(TraceVariable) == "1";
            await config.Error.WriteLineAsync(trace
                ? $"{CommandPath(parseResult, program)}: {ex}"
                : $"{CommandPath(parseResult, program)}: failed: {ex.GetType().Name}: {OneLine(ex.Message)} (set {TraceVariable}=1 for details)");
            return ExitCodes.Failure;
        }
    }

    /// <summary>"twin bench ingest": the words of the command that was parsed.</summary>
    public static string CommandPath(ParseResult parseResult, string program)
    {
        var names = new List<string>();
        for (var r = parseResult.CommandResult; r is not null; r = r.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Add(r.Command is RootCommand ? program : r.Command.Name);
        }

        names.Reverse();
        return string.Join(' ', names);
    }

    private static bool IsInputProblem(Exception ex) => ex is SimulationConfigException or RuleConfigException or PhysicsConfigException or CatalogException
        or FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException or System.Text.Json.JsonException or FailureException
        or Analytics.Rul.RulCsvException or Analytics.Rul.RulDataException or Storage.Sqlite.StoreMigrationRequiredException;

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();

    /// <summary>A parser message on one line, with the .NET type names a user does not need turned into words.</summary>
    public static string Plain(string message)
    {
        var m = CannotParse().Match(message);
        if (m.Success)
        {
            var type = m.Groups["type"].Value;
            var kind = type.Contains("Int32", StringComparison.Ordinal) || type.Contains("Int64", StringComparison.Ordinal) ? "a whole number"
                : type.Contains("Double", StringComparison.Ordinal) ? "a number"
                : type.Contains("Boolean", StringComparison.Ordinal) ? "true or false"
                : "valid";
            return $"{m.Groups["option"].Value} '{m.Groups["value"].Value}' is not {kind}";
        }

        return Whitespace().Replace(message.ReplaceLineEndings(" "), " ").Trim().TrimEnd('.');
    }

    /// <summary>"DataAnnotation validation failed for 'IngestOptions' members: 'QueueCapacity' with the error: '...'" as "Ingest:QueueCapacity: ...".</summary>
    public static string SettingFailure(Type optionsType, string failure)
    {
        var m = DataAnnotationFailure().Match(failure);
        var section = optionsType.Name.EndsWith("Options", StringComparison.Ordinal) ? optionsType.Name[..^"Options".Length] : optionsType.Name;
        return m.Success ? $"{section}:{m.Groups["member"].Value}: {m.Groups["error"].Value.TrimEnd('.')}" : $"{section}: {Plain(failure)}";
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"members: '(?<member>[^']+)' with the error: '(?<error>.*)'\.?$")]
    private static partial System.Text.RegularExpressions.Regex DataAnnotationFailure();

    [System.Text.RegularExpressions.GeneratedRegex(@"^Cannot parse argument '(?<value>.*)' for option '(?<option>[^']+)' as expected type '(?<type>[^']+)'")]
    private static partial System.Text.RegularExpressions.Regex CannotParse();

    [System.Text.RegularExpressions.GeneratedRegex(@"\s+")]
    private static partial System.Text.RegularExpressions.Regex Whitespace();

    /// <summary>The default help, then the exit codes.</summary>
    private sealed class HelpWithExitCodes(HelpAction inner) : SynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            inner.Invoke(parseResult);
            parseResult.InvocationConfiguration.Output.WriteLine();
            parseResult.InvocationConfiguration.Output.WriteLine(ExitCodes.HelpText);
            return ExitCodes.Ok;
        }
    }
}

/// <summary>A failure to report as one line with exit code 1 (the command ran, its input or environment is wrong).</summary>
public sealed class FailureException(string message) : Exception(message);
