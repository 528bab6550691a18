using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Analytics.Knowledge;

/// <summary>Active when all (<see cref="RuleKind.All"/>) or any (<see cref="RuleKind.Any"/>) of <see cref="RuleIds"/> are active.</summary>
public sealed record CombinationRule(
    string Id,
    RuleKind Kind,
    string Component,
    Severity Severity,
    string Message,
    bool Hidden,
    WhileCondition? While,
    IReadOnlyList<string> RuleIds)
    : Rule(Id, Kind, Component, Severity, Message, Hidden, While);
