namespace EquipmentTwin.Edge.Sources;

/// <summary>A syslog message split into the fields the agent uses: who sent it (hostname, app-name or tag) and the body.</summary>
public readonly record struct SyslogMessage(string HostName, string AppName, string Body)
{
    private static readonly string[] Months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

    /// <summary>
    /// Parses RFC 5424 (<c>&lt;PRI&gt;1 TIMESTAMP HOST APP PROCID MSGID SD MSG</c>) or RFC 3164
    /// (<c>&lt;PRI&gt;Mmm dd hh:mm:ss HOST TAG[pid]: MSG</c>). The syslog timestamp is not used: event time comes from the vendor line in the body.
    /// </summary>
    public static bool TryParse(string text, out SyslogMessage message)
    {
        message = default;
        var s = text.AsSpan().TrimEnd("\r\n\0");
        if (s.Length < 3 || s[0] != '<')
        {
            return false;
        }

        var close = s.IndexOf('>');
        if (close is < 2 or > 4 || !int.TryParse(s[1..close], out var pri) || pri > 191)
        {
            return false;
        }

        s = s[(close + 1)..];
        if (s.StartsWith("1 "))
        {
            return TryParse5424(s[2..], out message);
        }

        return TryParse3164(s, out message);
    }

    private static bool TryParse5424(ReadOnlySpan<char> s, out SyslogMessage message)
    {
        message = default;
        Span<Range> f = stackalloc Range[6];
        // TIMESTAMP HOSTNAME APP-NAME PROCID MSGID rest(SD [MSG])
        if (s.Split(f, ' ') < 6)
        {
            return false;
        }

        var host = s[f[1]];
        var app = s[f[2]];
        var rest = s[f[5]];
        if (rest.StartsWith("-"))
        {
            rest = rest[1..];
        }
        else if (rest.StartsWith("["))
        {
            // Structured data: elements [..] back to back; a ']' inside a quoted value (escaped as \] or not) does not end one.
            var i = 0;
            while (i < rest.Length && rest[i] == '[')
            {
                i++;
                var quoted = false;
                while (i < rest.Length && (quoted || rest[i] != ']'))
                {
                    if (rest[i] == '\\')
                    {
                        i++;
                    }
                    else if (rest[i] == '"')
                    {
                        quoted = !quoted;
                    }

                    i++;
                }

                i++;
            }

            rest = i <= rest.Length ? rest[Math.Min(i, rest.Length)..] : [];
        }
        else
        {
            return false;
        }

        if (rest.StartsWith(" "))
        {
            rest = rest[1..];
        }

        if (rest.StartsWith("\uFEFF"))
        {
            rest = rest[1..];
        }

        message = new SyslogMessage(Nil(host), Nil(app), rest.ToString());
        return true;
    }

    private static bool TryParse3164(ReadOnlySpan<char> s, out SyslogMessage message)
    {
        message = default;
        // "Mmm dd hh:mm:ss " is 16 characters; a sender without a timestamp is accepted too.
        if (s.Length >= 16 && Array.IndexOf(Months, s[..3].ToString()) >= 0 && s[6] == ' ' && s[9] == ':' && s[12] == ':' && s[15] == ' ')
        {
            s = s[16..];
        }

        var space = s.IndexOf(' ');
        if (space <= 0)
        {
            return false;
        }

        var host = s[..space];
        s = s[(space + 1)..];
        var colon = s.IndexOf(": ");
        if (colon <= 0)
        {
            return false;
        }

        var tag = s[..colon];
        var bracket = tag.IndexOf('[');
        if (bracket > 0)
        {
            tag = tag[..bracket];
        }

        message = new SyslogMessage(host.ToString(), tag.ToString(), s[(colon + 2)..].ToString());
        return true;
    }

    private static string Nil(ReadOnlySpan<char> field) => field.SequenceEqual("-") ? "" : field.ToString();
}
