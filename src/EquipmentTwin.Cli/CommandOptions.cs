using System.Globalization;

namespace EquipmentTwin.Cli;

/// <summary>The flags of a <c>twin</c> sub-command: known names only, each with a value (<c>--name value</c> or <c>--name=value</c>).</summary>
public sealed class CommandOptions
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public static CommandOptions Parse(string[] args, IReadOnlyCollection<string> known)
    {
        var options = new CommandOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var (name, inline) = Split(args[i]);
            if (!name.StartsWith("--", StringComparison.Ordinal))
            {
                throw new CommandLineException($"unexpected argument '{args[i]}'");
            }

            if (!known.Contains(name))
            {
                throw new CommandLineException($"unknown option '{name}'. Run 'twin help'.");
            }

            options._values[name] = inline ?? (i + 1 < args.Length ? args[++i] : throw new CommandLineException($"option '{name}' needs a value"));
        }

        return options;
    }

    /// <summary><c>--name=value</c> → (name, value); anything else → (arg, null).</summary>
    public static (string Name, string? Value) Split(string arg)
    {
        var eq = arg.IndexOf('=');
        return eq > 0 && arg.StartsWith("--", StringComparison.Ordinal) ? (arg[..eq], arg[(eq + 1)..]) : (arg, null);
    }

    public string? Get(string name) => _values.GetValueOrDefault(name);

    public string Required(string name) => Get(name) ?? throw new CommandLineException($"{name} is required");

    public int Int(string name, int fallback) => Get(name) is { } v ? ParseInt(name, v) : fallback;

    public double? PositiveOrNull(string name) => Get(name) is { } v ? ParsePositive(name, v) : null;

    public static int ParseInt(string name, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : throw new CommandLineException($"{name} '{value}' is not an integer");

    public static double ParsePositive(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d > 0 ? d : throw new CommandLineException($"{name} '{value}' must be a positive number");
}
