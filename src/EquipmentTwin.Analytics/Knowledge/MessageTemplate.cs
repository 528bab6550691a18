using System.Globalization;
using System.Text;

namespace EquipmentTwin.Analytics.Knowledge;

/// <summary>A rule's message with <c>{placeholder}</c>s, rendered into the sentence an engineer reads.</summary>
public static class MessageTemplate
{
    /// <summary>The placeholders a rule of <paramref name="kind"/> can fill.</summary>
    public static IReadOnlySet<string> PlaceholdersFor(RuleKind kind) => kind switch
    {
        RuleKind.Threshold => Set("value", "signal", "unit", "threshold", "clear", "duration", "component"),
        RuleKind.Rate => Set("value", "signal", "unit", "rate", "threshold", "clear", "window", "duration", "component"),
        RuleKind.BaselineDeviation => Set("value", "signal", "unit", "baseline", "deviation", "threshold", "clear", "window", "duration", "component"),
        RuleKind.EventCount => Set("count", "codes", "threshold", "window", "duration", "component"),
        RuleKind.All or RuleKind.Any => Set("count", "rules", "duration", "component"),
        _ => Set(),
    };

    /// <summary>The placeholder names in <paramref name="template"/>; an unclosed or empty one is an error.</summary>
    public static bool TryParse(string template, out List<string> names, out string? error)
    {
        names = new List<string>();
        error = null;
        var i = 0;
        while (i < template.Length)
        {
            var open = template.IndexOf('{', i);
            if (open < 0)
            {
                break;
            }

            var close = template.IndexOf('}', open + 1);
            if (close < 0)
            {
                error = $"unclosed '{{' at position {open}";
                return false;
            }

            var name = template[(open + 1)..close];
            if (name.Length == 0 || name.Contains('{'))
            {
                error = $"malformed placeholder at position {open}";
                return false;
            }

            names.Add(name);
            i = close + 1;
        }

        return true;
    }

    /// <summary>Replaces each <c>{name}</c> by <paramref name="value"/>(name); the template was validated at load.</summary>
    public static string Render(string template, Func<string, string> value)
    {
        var sb = new StringBuilder(template.Length + 32);
        var i = 0;
        while (i < template.Length)
        {
            var open = template.IndexOf('{', i);
            var close = open < 0 ? -1 : template.IndexOf('}', open + 1);
            if (close < 0)
            {
                sb.Append(template, i, template.Length - i);
                break;
            }

            sb.Append(template, i, open - i);
            sb.Append(value(template[(open + 1)..close]));
            i = close + 1;
        }

        return sb.ToString();
    }

    /// <summary>A number as an engineer writes it: 4.52, 58.3, 0.041, 1250.</summary>
    public static string Number(double v)
    {
        var a = Math.Abs(v);
        var format = a >= 100 ? "0.#" : a >= 1 ? "0.##" : "0.###";
        return v.ToString(format, CultureInfo.InvariantCulture);
    }

    /// <summary>A duration as "2 h 15 min", "45 min", "3 d 4 h".</summary>
    public static string Duration(long ms)
    {
        var minutes = Math.Max(0, ms) / 60_000;
        if (minutes < 60)
        {
            return $"{minutes} min";
        }

        var hours = minutes / 60;
        if (hours < 24)
        {
            var rest = minutes % 60;
            return rest == 0 ? $"{hours} h" : $"{hours} h {rest} min";
        }

        var days = hours / 24;
        var h = hours % 24;
        return h == 0 ? $"{days} d" : $"{days} d {h} h";
    }

    private static HashSet<string> Set(params string[] names) => new(names, StringComparer.Ordinal);
}
