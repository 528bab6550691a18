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
}
