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
}
