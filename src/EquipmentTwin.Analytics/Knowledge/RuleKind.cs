namespace EquipmentTwin.Analytics.Knowledge;

/// <summary>How a rule decides: on a signal's buckets, its hourly trend or baseline, event counts, or other rules.</summary>
public enum RuleKind
{
    /// <summary>A 5-minute statistic above or below a value for a minimum duration, with hysteresis.</summary>
    Threshold,

    /// <summary>The OLS slope of hourly means over a window, in signal units per day.</summary>
    Rate,

    /// <summary>The window mean against the device's own learned baseline (median of hourly means).</summary>
    BaselineDeviation,

    /// <summary>N events of given codes within a trailing window.</summary>
    EventCount,

    /// <summary>Active when every referenced rule is active.</summary>
    All,

    /// <summary>Active when at least one referenced rule is active.</summary>
    Any,
}

public static class RuleKindNames
{
    public static string ToConfig(this RuleKind kind) => kind switch
    {
        RuleKind.Threshold => "threshold",
        RuleKind.Rate => "rate",
        RuleKind.BaselineDeviation => "baseline-deviation",
        RuleKind.EventCount => "event-count",
        RuleKind.All => "all",
        RuleKind.Any => "any",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static bool TryParse(string? text, out RuleKind kind)
    {
        foreach (var k in Enum.GetValues<RuleKind>())
        {
            if (string.Equals(k.ToConfig(), text, StringComparison.Ordinal))
            {
                kind = k;
                return true;
            }
        }

        kind = default;
        return false;
    }
}
