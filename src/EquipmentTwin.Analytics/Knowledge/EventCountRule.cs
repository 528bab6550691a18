using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Analytics.Knowledge;

/// <summary>Fires when events of <see cref="Codes"/> in the trailing window reach <see cref="Count"/>; clears below <see cref="ClearCount"/>.</summary>
public sealed record EventCountRule(
    string Id,
    string Component,
    Severity Severity,
    string Message,
    bool Hidden,
    WhileCondition? While,
    IReadOnlyList<string> Codes,
    int Count,
    long WithinMs,
    double ClearCount)
    : Rule(Id, RuleKind.EventCount, Component, Severity, Message, Hidden, While);
