namespace EquipmentTwin.Core.WireFormat;

/// <summary>Severity of a logged event; the wire accepts the long and the short vendor spellings.</summary>
public enum Severity
{
    Info,
    Warning,
    Error,
    Critical,
}

public static class SeverityNames
{
    public static string ToWire(this Severity severity) => severity switch
    {
        Severity.Info => "info",
        Severity.Warning => "warning",
        Severity.Error => "error",
        Severity.Critical => "critical",
        _ => throw new ArgumentOutOfRangeException(nameof(severity), severity, null),
    };

    public static bool TryParse(string? text, out Severity severity)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "info" or "information" or "i": severity = Severity.Info; return true;
            case "warning" or "warn" or "w": severity = Severity.Warning; return true;
            case "error" or "err" or "e": severity = Severity.Error; return true;
            case "critical" or "crit" or "c" or "fatal": severity = Severity.Critical; return true;
            default: severity = default; return false;
        }
    }
}
