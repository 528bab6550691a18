using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Analytics.Knowledge;

/// <summary>One validated rule of a modality: what it watches is in the derived record, what it says is here.</summary>
public abstract record Rule(
    string Id,
    RuleKind Kind,
    string Component,
    Severity Severity,
    string Message,
    bool Hidden,
    WhileCondition? While)
{
    /// <summary>Confidence an alert of this severity carries into fusion.</summary>
    public double Confidence => Severity switch
    {
        Severity.Info => 0.3,
        Severity.Warning => 0.6,
        Severity.Error => 0.8,
        Severity.Critical => 0.95,
        _ => 0.5,
    };

    /// <summary>
    /// After a repair of one of these components the rule stays quiet for a while: the unit is settling, not failing
    /// (cooling restored to a magnet whose shield warmed while it was down boils helium off for days); null: never.
    /// </summary>
    public RepairSettle? SettleAfterRepair { get; init; }
}

/// <summary>Components whose repair, replacement or adjustment makes a rule wait <paramref name="Ms"/> before it may fire.</summary>
public sealed record RepairSettle(IReadOnlyList<string> Components, long Ms);
