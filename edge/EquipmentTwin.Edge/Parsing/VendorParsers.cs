namespace EquipmentTwin.Edge.Parsing;

/// <summary>The parser for each vendor format the fleet simulator writes (MRI pipe, CT bracket, X-ray csv).</summary>
public static class VendorParsers
{
    public static IReadOnlyList<string> Formats { get; } = ["pipe", "bracket", "csv"];

    public static IVendorLogParser For(string format) => TryGet(format)
        ?? throw new ArgumentException($"unknown log format '{format}': use one of {string.Join(", ", Formats)}", nameof(format));

    public static IVendorLogParser? TryGet(string? format) => format?.ToLowerInvariant() switch
    {
        "pipe" => new PipeLogParser(),
        "bracket" => new BracketLogParser(),
        "csv" => new CsvLogParser(),
        _ => null,
    };
}
