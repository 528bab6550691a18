using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Analytics.Knowledge;

/// <summary>
/// The mean over <see cref="WindowMs"/> against the device's own baseline (median of hourly means over the
/// first <see cref="BaselineMs"/> of data, re-learnt after maintenance), as a percent or absolute deviation.
/// </summary>
public sealed record BaselineDeviationRule(
    string Id,
    string Component,
    Severity Severity,
    string Message,
    bool Hidden,
    WhileCondition? While,
    string Signal,
    long WindowMs,
    long BaselineMs,
    bool Relative,
    Comparison Deviation,
    int MinPoints,
    int MinBaselinePoints)
    : Rule(Id, RuleKind.BaselineDeviation, Component, Severity, Message, Hidden, While)
{
    /// <summary>
    /// A reference signal subtracted hour by hour before the baseline and the window are taken (absolute mode): a
    /// temperature's rise over the room's says how well it is cooled whatever the season or the air conditioning.
    /// </summary>
    public string? Minus { get; init; }
}
