using System.Globalization;
using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Edge.Parsing;

/// <summary>Shared field checks of the vendor parsers, mirroring the wire-format rules so a line the service would refuse is refused here, with the line kept.</summary>
internal static class ParseHelpers
{
    // The wire accepts 2000-01-01 .. 2100-01-01 (docs/wire-format.md).
    private const long MinMs = 946_684_800_000;
    private const long MaxMs = 4_102_444_800_000;

    private static readonly string[] Months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

    public static bool InRange(long ms) => ms is >= MinMs and < MaxMs;

    /// <summary>Identifier of a signal or event code: <c>[A-Za-z0-9_.-]{1,64}</c>.</summary>
    public static bool IsName(ReadOnlySpan<char> s)
    {
        if (s.Length is 0 or > 64)
        {
            return false;
        }

        foreach (var c in s)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    public static bool TryValue(ReadOnlySpan<char> s, out double value) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    /// <summary><c>yyyy-MM-dd HH:mm:ss[.fff]</c> in UTC (also accepts <c>T</c> as the separator).</summary>
    public static bool TryIsoTime(ReadOnlySpan<char> s, out long ms)
    {
        ms = 0;
        if (s.Length < 19 || s[4] != '-' || s[7] != '-' || (s[10] != ' ' && s[10] != 'T') || s[13] != ':' || s[16] != ':')
        {
            return false;
        }

        return TryDigits(s[..4], out var y) && TryDigits(s.Slice(5, 2), out var mo) && TryDigits(s.Slice(8, 2), out var d)
            && TryClock(s[11..], y, mo, d, out ms);
    }

    /// <summary><c>dd-MMM-yyyy HH:mm:ss[.fff]</c> in UTC with English month abbreviations.</summary>
    public static bool TryBracketTime(ReadOnlySpan<char> s, out long ms)
    {
        ms = 0;
        if (s.Length < 20 || s[2] != '-' || s[6] != '-' || s[11] != ' ' || s[14] != ':' || s[17] != ':')
        {
            return false;
        }

        var mon = s.Slice(3, 3);
        var mo = 0;
        for (var i = 0; i < Months.Length; i++)
        {
            if (mon.Equals(Months[i], StringComparison.OrdinalIgnoreCase))
            {
                mo = i + 1;
                break;
            }
        }

        return mo > 0 && TryDigits(s[..2], out var d) && TryDigits(s.Slice(7, 4), out var y) && TryClock(s[12..], y, mo, d, out ms);
    }

    /// <summary><c>HH:mm:ss[.f…]</c> then a date; the fraction is read to milliseconds.</summary>
    private static bool TryClock(ReadOnlySpan<char> s, int y, int mo, int d, out long ms)
    {
        ms = 0;
        if (s.Length < 8 || !TryDigits(s[..2], out var h) || !TryDigits(s.Slice(3, 2), out var mi) || !TryDigits(s.Slice(6, 2), out var sec))
        {
            return false;
        }

        var frac = 0;
        var rest = s[8..];
        if (rest.Length > 0)
        {
            if (rest[0] != '.' || rest.Length is < 2 or > 8 || !TryDigits(rest[1..], out var f))
            {
                return false;
            }

            var digits = rest.Length - 1;
            frac = digits switch { 1 => f * 100, 2 => f * 10, 3 => f, _ => f / Pow10(digits - 3) };
        }

        if (y is < 1 or > 9999 || mo is < 1 or > 12 || d < 1 || d > DateTime.DaysInMonth(y, mo) || h > 23 || mi > 59 || sec > 59)
        {
            return false;
        }

        ms = new DateTimeOffset(y, mo, d, h, mi, sec, frac, TimeSpan.Zero).ToUnixTimeMilliseconds();
        return true;
    }

    private static int Pow10(int n)
    {
        var p = 1;
        for (var i = 0; i < n; i++)
        {
            p *= 10;
        }

        return p;
    }

    private static bool TryDigits(ReadOnlySpan<char> s, out int value)
    {
        value = 0;
        if (s.IsEmpty)
        {
            return false;
        }

        foreach (var c in s)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = value * 10 + (c - '0');
        }

        return true;
    }

    public static LineParse Param(long ms, ReadOnlySpan<char> name, ReadOnlySpan<char> value)
    {
        if (!InRange(ms))
        {
            return LineParse.Reject("bad-timestamp: outside 2000-01-01..2100-01-01");
        }

        if (!IsName(name))
        {
            return LineParse.Reject($"bad-name: '{Cut(name)}' is not [A-Za-z0-9_.-]{{1,64}}");
        }

        if (!TryValue(value, out var v))
        {
            return LineParse.Reject($"bad-value: '{Cut(value)}' is not a finite number");
        }

        return LineParse.Ok(LogRecord.Param(ms, name.ToString(), v));
    }

    public static LineParse Event(long ms, ReadOnlySpan<char> code, ReadOnlySpan<char> severity, string? text)
    {
        if (!InRange(ms))
        {
            return LineParse.Reject("bad-timestamp: outside 2000-01-01..2100-01-01");
        }

        if (!IsName(code))
        {
            return LineParse.Reject($"bad-code: '{Cut(code)}' is not [A-Za-z0-9_.-]{{1,64}}");
        }

        if (!SeverityNames.TryParse(severity.ToString(), out var sev))
        {
            return LineParse.Reject($"bad-severity: '{Cut(severity)}'");
        }

        return LineParse.Ok(LogRecord.Event(ms, code.ToString(), sev, string.IsNullOrEmpty(text) ? null : text));
    }

    public static string Cut(ReadOnlySpan<char> s) => s.Length <= 40 ? s.ToString() : string.Concat(s[..40], "…");
}
