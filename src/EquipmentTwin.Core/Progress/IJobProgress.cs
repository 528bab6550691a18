namespace EquipmentTwin.Core.Progress;

/// <summary>
/// How far a long job has got, for whoever shows it (a progress bar, log lines, nothing). A job is a sequence of
/// steps; each step has a description and, when known, a total in its own unit (days simulated, records, units).
/// Implementations are thread-safe; reporting must never throw into the job.
/// </summary>
public interface IJobProgress
{
    /// <summary>Begins a step, counted from zero. <paramref name="total"/> null: a step of unknown length.</summary>
    void Step(string description, double? total = null, string unit = "");

    /// <summary>How much of the current step is done, in its unit.</summary>
    void Report(double done);
}
