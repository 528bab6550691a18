using System.CommandLine;

namespace EquipmentTwin.Cli.Commands;

/// <summary>Options that several commands share, declared once so their names, ranges and help stay the same everywhere.</summary>
public static class SharedOptions
{
    public static Option<string> Fleet() => CliOptions.ExistingFile("--fleet", "fleet file, e.g. seeds/fleets/demo.json", required: true);

    public static Option<int> Seed() => CliOptions.Int("--seed", "random seed; same seed, same output", 1, min: 0);

    public static Option<double?> Days(string defaultText) => CliOptions.Positive("--days", $"event-time length in days ({defaultText})", "N");

    public static Option<string> Faults() => CliOptions.ExistingDirectory("--faults", "fault scenarios folder (default: seeds/faults beside the fleet's folder)");

    public static Option<string> Catalog() => CliOptions.ExistingDirectory("--catalog", "signal catalogs folder (default: seeds/catalog beside the fleet's folder)");

    /// <summary>Machine-readable output to a file; never mixed with progress, which goes to stderr.</summary>
    /// <summary>A comma-separated list of simulation seeds, e.g. <c>101,102</c>.</summary>
    public static Option<string> Seeds(string name, string description)
    {
        var option = new Option<string>(name) { Description = description, HelpName = "A,B" };
        CliOptions.Check(option, text => text is null || text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) is { Length: > 0 } parts
            && parts.All(x => int.TryParse(x, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _))
            ? null : $"{name} '{text}' is not a comma-separated list of seeds (whole numbers >= 0)");
        return option;
    }

    public static Option<string> JsonFile(string what) => CliOptions.OutputPath("--json", $"also write {what} as JSON to this file", "FILE");
}
