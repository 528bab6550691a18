using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Analytics.Knowledge;

/// <summary>
/// The least-squares slope of hourly means over <see cref="WindowMs"/> (units per day) past a limit, when
/// the fit has <see cref="MinPoints"/> points and |slope| / standard error reaches <see cref="MinSignificance"/>.
/// </summary>
public sealed record RateRule(
    string Id,
    string Component,
    Severity Severity,
    string Message,
    bool Hidden,
    WhileCondition? While,
    string Signal,
    long WindowMs,
    Comparison SlopePerDay,
    int MinPoints,
    double MinSignificance)
    : Rule(Id, RuleKind.Rate, Component, Severity, Message, Hidden, While)
{
    /// <summary>
    /// How long the slope must stay past the limit, judged at every hourly fit, before the rule fires: one noisy
    /// window can tip a short slope past its limit, a real loss keeps it there.
    /// </summary>
    public long MinDurationMs { get; init; }

    /// <summary>
    /// How far back the window's first hourly point must reach before the slope is judged (0: any span): a rate "over
    /// 48 h" read from the first day and a half after the data began (or after a reset) is a slope over level noise.
    /// </summary>
    public long MinSpanMs { get; init; }

    /// <summary>
    /// How many standard errors the slope must lie past the limit (0: past it at all). |slope| / SE ≥ <see cref="MinSignificance"/>
    /// shows the signal moves; this shows it moves faster than the limit. A short window over a noisy probe, judged every
    /// hour, otherwise fires on noise that tips a modest slope just past the limit (docs/models.md, round 11).
    /// </summary>
    public double MinSignificanceBeyondLimit { get; init; }

    /// <summary>The slope is past the limit, significantly so, and by <see cref="MinSignificanceBeyondLimit"/> standard errors.</summary>
    internal bool Holds(LinearTrend trend) =>
        SlopePerDay.Holds(trend.Slope) && trend.Significance >= MinSignificance &&
        (MinSignificanceBeyondLimit <= 0 || SlopePerDay.Beyond(trend.Slope) >= MinSignificanceBeyondLimit * trend.SlopeStandardError);
}
