using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Analytics.Knowledge;

/// <summary>A bucket statistic past a limit for <see cref="MinDurationMs"/>; clears past the clear level for <see cref="ClearDurationMs"/>.</summary>
public sealed record ThresholdRule(
    string Id,
    string Component,
    Severity Severity,
    string Message,
    bool Hidden,
    WhileCondition? While,
    string Signal,
    Comparison Comparison,
    BucketStat Stat,
    long MinDurationMs,
    long ClearDurationMs)
    : Rule(Id, RuleKind.Threshold, Component, Severity, Message, Hidden, While);
