namespace EquipmentTwin.Service.Broker;

/// <summary>
/// Who may connect, publish and subscribe: Mosquitto's password file and ACL file (the subset
/// <c>twin credentials</c> writes: <c>user NAME</c>, <c>topic [read|write|readwrite] FILTER</c>,
/// <c>pattern …</c> with %u and %c), read by the embedded broker so it enforces what Mosquitto does.
/// </summary>
public sealed class MqttAccessList
{
    private readonly Dictionary<string, string> _passwords;
    private readonly Dictionary<string, List<Rule>> _rules;
    private readonly List<Rule> _patterns;

    private MqttAccessList(Dictionary<string, string> passwords, Dictionary<string, List<Rule>> rules, List<Rule> patterns)
    {
        _passwords = passwords;
        _rules = rules;
        _patterns = patterns;
    }

    public int Users => _passwords.Count;

    public static MqttAccessList Load(string passwordFile, string? aclFile) =>
        Parse(File.ReadAllLines(passwordFile), aclFile is { Length: > 0 } ? File.ReadAllLines(aclFile) : null);

    public static MqttAccessList Parse(IEnumerable<string> passwordLines, IEnumerable<string>? aclLines)
    {
        var passwords = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in passwordLines)
        {
            var line = raw.Trim();
            var colon = line.IndexOf(':');
            if (line.Length == 0 || line[0] == '#' || colon <= 0)
            {
                continue;
            }

            passwords[line[..colon]] = line[(colon + 1)..];
        }

        var rules = new Dictionary<string, List<Rule>>(StringComparer.Ordinal);
        var patterns = new List<Rule>();
        // Without an ACL file Mosquitto lets an authenticated user do anything; with one, only what it grants.
        var hasAcl = aclLines is not null;
        string? user = null;
        var anonymous = new List<Rule>();
        foreach (var raw in aclLines ?? [])
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var words = line.Split(' ', 3, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            switch (words[0])
            {
                case "user" when words.Length >= 2:
                    user = line[5..].Trim();
                    if (!rules.ContainsKey(user))
                    {
                        rules[user] = [];
                    }

                    break;
                case "topic" or "pattern":
                    var (access, filter) = words.Length == 2 ? (Access.ReadWrite, words[1]) : (ParseAccess(words[1]), words[2]);
                    var rule = new Rule(access, filter, words[0] == "pattern");
                    if (rule.IsPattern)
                    {
                        patterns.Add(rule);
                    }
                    else if (user is null)
                    {
                        anonymous.Add(rule);
                    }
                    else
                    {
                        rules[user].Add(rule);
                    }

                    break;
            }
        }

        return new MqttAccessList(passwords, rules, patterns) { HasAcl = hasAcl };
    }

    public bool HasAcl { get; private init; }

    public bool Authenticate(string? user, string? password) =>
        user is not null && password is not null && _passwords.TryGetValue(user, out var hash) && MosquittoPasswordHash.Verify(password, hash);

    public bool CanPublish(string user, string clientId, string topic) => Allowed(user, clientId, topic, Access.Write);

    public bool CanSubscribe(string user, string clientId, string filter) => Allowed(user, clientId, filter, Access.Read);

    private bool Allowed(string user, string clientId, string topic, Access wanted)
    {
        if (!HasAcl)
        {
            return true;
        }

        if (_rules.TryGetValue(user, out var list) && list.Any(r => (r.Access & wanted) != 0 && Matches(r.Filter, topic)))
        {
            return true;
        }

        return _patterns.Any(r => (r.Access & wanted) != 0 && Matches(r.Filter.Replace("%u", user, StringComparison.Ordinal).Replace("%c", clientId, StringComparison.Ordinal), topic));
    }

    /// <summary>MQTT filter matching (+ one level, # the rest); a subscription filter is allowed when the rule's filter covers it level by level.</summary>
    public static bool Matches(string filter, string topic)
    {
        var f = filter.Split('/');
        var t = topic.Split('/');
        for (var i = 0; i < f.Length; i++)
        {
            if (f[i] == "#")
            {
                return true;
            }

            if (i >= t.Length)
            {
                return false;
            }

            if (f[i] == "+")
            {
                if (t[i] == "#")
                {
                    return false;
                }

                continue;
            }

            if (f[i] != t[i])
            {
                return false;
            }
        }

        return f.Length == t.Length;
    }

    private static Access ParseAccess(string word) => word switch
    {
        "read" => Access.Read,
        "write" => Access.Write,
        "readwrite" => Access.ReadWrite,
        "deny" => Access.None,
        _ => Access.None,
    };

    [Flags]
    private enum Access
    {
        None = 0,
        Read = 1,
        Write = 2,
        ReadWrite = 3,
    }

    private sealed record Rule(Access Access, string Filter, bool IsPattern);
}
