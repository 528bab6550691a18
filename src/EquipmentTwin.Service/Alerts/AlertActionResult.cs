using EquipmentTwin.Analytics.Fusion;

namespace EquipmentTwin.Service.Alerts;

/// <summary>The outcome of an engineer's action: done (with the alert after it), unknown alert, or not allowed from the alert's state.</summary>
public sealed record AlertActionResult(AlertActionOutcome Outcome, AlertSnapshot? Alert)
{
    public static AlertActionResult NotFound { get; } = new(AlertActionOutcome.NotFound, null);
}

public enum AlertActionOutcome
{
    Done,
    NotFound,
    IllegalTransition,
}
