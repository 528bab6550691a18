using System.Text;

namespace EquipmentTwin.Edge.Parsing;

/// <summary>
/// CT "bracket" format: <c>[24-Nov-2026 02:00:00.123] PAR anode_heat_pct=34.2 %</c> and
/// <c>[24-Nov-2026 02:00:00.123] EVT CT-TUB-101 ERR "text with \" and \\ escaped"</c> (UTC).
/// </summary>
public sealed class BracketLogParser : IVendorLogParser
{
    public string Format => "bracket";

    public LineParse Parse(ReadOnlySpan<char> line)
    {
        line = line.TrimEnd();
        if (line.IsEmpty)
        {
            return LineParse.Skip;
        }

        var close = line.IndexOf(']');
        if (line[0] != '[' || close < 0)
        {
            return LineParse.Reject("malformed: expected [dd-MMM-yyyy HH:mm:ss.fff] PAR|EVT ...");
        }

        if (!ParseHelpers.TryBracketTime(line[1..close], out var ms))
        {
            return LineParse.Reject($"bad-timestamp: '{ParseHelpers.Cut(line[1..close])}' is not dd-MMM-yyyy HH:mm:ss.fff");
        }

        var rest = line[(close + 1)..];
        if (rest.StartsWith(" PAR "))
        {
            rest = rest[5..];
            var eq = rest.IndexOf('=');
            if (eq < 0)
            {
                return LineParse.Reject("malformed: PAR without name=value");
            }

            var value = rest[(eq + 1)..];
            var space = value.IndexOf(' ');
            if (space >= 0)
            {
                value = value[..space]; // the unit follows
            }

            return ParseHelpers.Param(ms, rest[..eq], value);
        }

        if (rest.StartsWith(" EVT "))
        {
            rest = rest[5..];
            var s1 = rest.IndexOf(' ');
            if (s1 < 0)
            {
                return LineParse.Reject("malformed: EVT without severity");
            }

            var code = rest[..s1];
            rest = rest[(s1 + 1)..];
            var s2 = rest.IndexOf(' ');
            var severity = s2 < 0 ? rest : rest[..s2];
            string? text = null;
            if (s2 >= 0)
            {
                var quoted = rest[(s2 + 1)..];
                if (quoted.Length < 2 || quoted[0] != '"' || quoted[^1] != '"')
                {
                    return LineParse.Reject("malformed: EVT text is not in double quotes");
                }

                if (!TryUnescape(quoted[1..^1], out text))
                {
                    return LineParse.Reject("malformed: EVT text has a bad escape or an unescaped quote");
                }
            }

            return ParseHelpers.Event(ms, code, severity, text);
        }

        return LineParse.Reject("bad-kind: expected PAR or EVT after the timestamp");
    }

    private static bool TryUnescape(ReadOnlySpan<char> s, out string? text)
    {
        text = null;
        if (s.IndexOfAny('\\', '"') < 0)
        {
            text = s.ToString();
            return true;
        }

        var sb = new StringBuilder(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c == '"')
            {
                return false;
            }

            if (c == '\\')
            {
                if (++i >= s.Length || s[i] is not ('\\' or '"'))
                {
                    return false;
                }

                c = s[i];
            }

            sb.Append(c);
        }

        text = sb.ToString();
        return true;
    }
}
