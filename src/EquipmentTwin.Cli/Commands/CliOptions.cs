using System.CommandLine;
using System.Globalization;

namespace EquipmentTwin.Cli.Commands;

/// <summary>
/// Typed options with their range checked at parse time, so a bad value stops the command (exit 2) before any work.
/// Commands declare their options with these and read them back with <c>ParseResult.GetValue</c>.
/// </summary>
public static class CliOptions
{
    /// <summary>An integer in [min, max]; <paramref name="defaultValue"/> null means "not given" (the command decides).</summary>
    public static Option<int> Int(string name, string description, int defaultValue, int min = int.MinValue, int max = int.MaxValue)
    {
        var option = new Option<int>(name) { Description = description, DefaultValueFactory = _ => defaultValue, HelpName = "N" };
        Check(option, v => RangeError(name, v, min, max));
        return option;
    }

    /// <summary>An integer in [min, max] that may be left out (then null).</summary>
    public static Option<int?> OptionalInt(string name, string description, int min = int.MinValue, int max = int.MaxValue)
    {
        var option = new Option<int?>(name) { Description = description, HelpName = "N" };
        Check(option, v => v is { } n ? RangeError(name, n, min, max) : null);
        return option;
    }

    /// <summary>A TCP port, 1–65535 (0 too when <paramref name="allowZero"/>: the system picks one).</summary>
    public static Option<int?> Port(string name, string description, bool allowZero = false) =>
        OptionalInt(name, description, allowZero ? 0 : 1, 65535);

    /// <summary>A number greater than zero that may be left out (then null).</summary>
    public static Option<double?> Positive(string name, string description, string helpName = "X")
    {
        var option = new Option<double?>(name) { Description = description, HelpName = helpName };
        Check(option, v => v is { } x && !(x > 0 && double.IsFinite(x)) ? string.Create(CultureInfo.InvariantCulture, $"{name} {x} must be a number greater than 0") : null);
        return option;
    }

    /// <summary>A file that must exist.</summary>
    public static Option<string> ExistingFile(string name, string description, bool required = false)
    {
        var option = new Option<string>(name) { Description = description, Required = required, HelpName = "FILE" };
        Check(option, path => path is not null && !File.Exists(path) ? $"{name} '{path}': no such file" : null);
        return option;
    }

    /// <summary>A folder that must exist when given.</summary>
    public static Option<string> ExistingDirectory(string name, string description)
    {
        var option = new Option<string>(name) { Description = description, HelpName = "DIR" };
        Check(option, path => path is not null && !Directory.Exists(path) ? $"{name} '{path}': no such folder" : null);
        return option;
    }

    /// <summary>A path (file or folder) that the command creates or writes.</summary>
    public static Option<string> OutputPath(string name, string description, string helpName = "PATH")
    {
        var option = new Option<string>(name) { Description = description, HelpName = helpName };
        Check(option, path => path is not null && (path.Length == 0 || path.IndexOfAny(Path.GetInvalidPathChars()) >= 0) ? $"{name} '{path}' is not a valid path" : null);
        return option;
    }

    /// <summary>Plain text, optionally one of a fixed set (shown in help and offered by shell completion).</summary>
    public static Option<string> Text(string name, string description, string? defaultValue = null, string helpName = "TEXT", params string[] allowed)
    {
        var option = new Option<string>(name) { Description = description, HelpName = helpName };
        if (defaultValue is not null)
        {
            option.DefaultValueFactory = _ => defaultValue;
        }

        if (allowed.Length > 0)
        {
            option.AcceptOnlyFromAmong(allowed);
            option.HelpName = string.Join('|', allowed);
        }

        return option;
    }

    /// <summary>Adds a check of the option's value; <paramref name="error"/> returns null when the value is fine.</summary>
    public static void Check<T>(Option<T> option, Func<T?, string?> error)
    {
        option.Validators.Add(r =>
        {
            // A value that does not convert to T is reported by the parser itself ("Cannot parse argument ...").
            if (r.Tokens.Count > 0 && r.Errors.Any())
            {
                return;
            }

            T? value;
            try
            {
                value = r.GetValueOrDefault<T>();
            }
            catch (InvalidOperationException)
            {
                return;
            }

            if (error(value) is { } message)
            {
                r.AddError(message);
            }
        });
    }

    private static string? RangeError(string name, int value, int min, int max) =>
        value >= min && value <= max ? null
        : max == int.MaxValue ? string.Create(CultureInfo.InvariantCulture, $"{name} {value} must be at least {min}")
        : string.Create(CultureInfo.InvariantCulture, $"{name} {value} must be between {min} and {max}");
}
