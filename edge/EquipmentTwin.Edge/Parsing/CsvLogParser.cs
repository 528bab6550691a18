using System.Text;

namespace EquipmentTwin.Edge.Parsing;

/// <summary>
/// X-ray "csv" format, header <c>epoch_ms;type;name;value;unit;severity;text</c>:
/// <c>1795485601250;P;kv_actual_kv;81.3;kV;;</c> and <c>1795485601250;E;XR-EXP-020;;;I;Exposure released</c>;
/// a text holding ';' or '"' is quoted with '"' doubled.
/// </summary>
public sealed class CsvLogParser : IVendorLogParser
{
    public const string Header = "epoch_ms;type;name;value;unit;severity;text";

    public string Format => "csv";

    public LineParse Parse(ReadOnlySpan<char> line)
    {
        line = line.TrimEnd();
        if (line.IsEmpty || line.SequenceEqual(Header))
        {
            return LineParse.Skip;
        }

        // The first six fields never hold ';'; the seventh (text) may, when quoted.
        Span<Range> parts = stackalloc Range[7];
        var n = line.Split(parts, ';', StringSplitOptions.None);
        if (n < 7)
        {
            return LineParse.Reject("malformed: expected 7 fields epoch_ms;type;name;value;unit;severity;text");
        }

        if (!long.TryParse(line[parts[0]], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ms))
        {
            return LineParse.Reject($"bad-timestamp: '{ParseHelpers.Cut(line[parts[0]])}' is not epoch milliseconds");
        }

        var type = line[parts[1]];
        if (type.SequenceEqual("P"))
        {
            return line[parts[6]].IsEmpty ? ParseHelpers.Param(ms, line[parts[2]], line[parts[3]]) : LineParse.Reject("malformed: too many fields for P");
        }

        if (type.SequenceEqual("E"))
        {
            var raw = line[parts[6]];
            string? text;
            if (raw.Length > 0 && raw[0] == '"')
            {
                if (!TryUnquote(raw, out text))
                {
                    return LineParse.Reject("malformed: E text has an unterminated quote");
                }
            }
            else
            {
                text = raw.ToString();
            }

            return ParseHelpers.Event(ms, line[parts[2]], line[parts[5]], text);
        }

        return LineParse.Reject($"bad-kind: '{ParseHelpers.Cut(type)}' is not P or E");
    }

    private static bool TryUnquote(ReadOnlySpan<char> s, out string? text)
    {
        text = null;
        if (s.Length < 2 || s[^1] != '"')
        {
            return false;
        }

        var inner = s[1..^1];
        var sb = new StringBuilder(inner.Length);
        for (var i = 0; i < inner.Length; i++)
        {
            if (inner[i] == '"')
            {
                if (i + 1 >= inner.Length || inner[i + 1] != '"')
                {
                    return false;
                }

                i++;
            }

            sb.Append(inner[i]);
        }

        text = sb.ToString();
        return true;
    }
}
