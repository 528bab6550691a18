namespace EquipmentTwin.Service.Models;

/// <summary>What one retrain decided for one kind: the candidate's version and state, why, and the held-out figures of both.</summary>
public sealed record RetrainResult(string Kind, int? Version, string State, string Reason, HeldOutFigures? Candidate, HeldOutFigures? Champion);

/// <summary>One run of train → validate → gate → promote: who or what asked for it, its state (running, succeeded, failed) and its results.</summary>
public sealed record RetrainJob(string Id, string RequestedBy, string Trigger, DateTimeOffset StartedAt)
{
    public string State { get; init; } = "running";
    public DateTimeOffset? FinishedAt { get; init; }
    public string? Error { get; init; }
    public IReadOnlyList<RetrainResult> Results { get; init; } = [];
}
