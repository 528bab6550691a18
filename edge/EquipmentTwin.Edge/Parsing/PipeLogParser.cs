namespace EquipmentTwin.Edge.Parsing;

/// <summary>
/// MRI "pipe" format: <c>2026-11-24 02:00:00.123|PARAM|he_level_pct|71.2|%</c> and
/// <c>2026-11-24 02:00:00.123|EVENT|MR-HE-201|WARN|Helium level low</c> (UTC; the writer replaces '|' in text by '/').
/// </summary>
public sealed class PipeLogParser : IVendorLogParser
{
    public string Format => "pipe";

    public LineParse Parse(ReadOnlySpan<char> line)
    {
        line = line.TrimEnd();
        if (line.IsEmpty)
        {
            return LineParse.Skip;
        }

        Span<Range> parts = stackalloc Range[6];
        // Five fields; an event's text is everything after the fourth '|'.
        var n = line.Split(parts, '|', StringSplitOptions.None);
        if (n < 4)
        {
            return LineParse.Reject("malformed: expected time|PARAM|name|value|unit or time|EVENT|code|severity|text");
        }

        if (!ParseHelpers.TryIsoTime(line[parts[0]], out var ms))
        {
            return LineParse.Reject($"bad-timestamp: '{ParseHelpers.Cut(line[parts[0]])}' is not yyyy-MM-dd HH:mm:ss.fff");
        }

        var kind = line[parts[1]];
        if (kind.SequenceEqual("PARAM"))
        {
            return n > 5 ? LineParse.Reject("malformed: too many fields for PARAM") : ParseHelpers.Param(ms, line[parts[2]], line[parts[3]]);
        }

        if (kind.SequenceEqual("EVENT"))
        {
            var textStart = n >= 5 ? parts[4].Start.GetOffset(line.Length) : line.Length;
            var text = textStart < line.Length ? line[textStart..].ToString() : null;
            return ParseHelpers.Event(ms, line[parts[2]], line[parts[3]], text);
        }

        return LineParse.Reject($"bad-kind: '{ParseHelpers.Cut(kind)}' is not PARAM or EVENT");
    }
}
