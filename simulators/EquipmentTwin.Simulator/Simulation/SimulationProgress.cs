using EquipmentTwin.Core.Progress;

namespace EquipmentTwin.Simulator.Simulation;

/// <summary>Reports a simulation's progress in simulated days as its steps are consumed.</summary>
public static class SimulationProgress
{
    private const double DayMs = 86_400_000.0;

    /// <summary>
    /// Begins a step named <paramref name="description"/> on <paramref name="progress"/> with the run's length in days,
    /// and reports the event time reached once per tick (a tick's steps share their start).
    /// </summary>
    public static IEnumerable<SimulationStep> Tracked(this IEnumerable<SimulationStep> steps, IJobProgress? progress, string description, long startMs, long endMs)
    {
        if (progress is null)
        {
            return steps;
        }

        return Track(steps, progress, description, startMs, endMs);
    }

    /// <summary>The same, for a whole <see cref="FleetSimulator"/> run.</summary>
    public static IEnumerable<SimulationStep> RunTracked(this FleetSimulator simulator, IJobProgress? progress, string description) =>
        simulator.Run().Tracked(progress, description, simulator.StartMs, simulator.EndMs);

    private static IEnumerable<SimulationStep> Track(IEnumerable<SimulationStep> steps, IJobProgress progress, string description, long startMs, long endMs)
    {
        progress.Step(description, Math.Max(0, (endMs - startMs) / DayMs), "days");
        var tick = long.MinValue;
        foreach (var step in steps)
        {
            if (step.FromMs != tick)
            {
                tick = step.FromMs;
                progress.Report((tick - startMs) / DayMs);
            }

            yield return step;
        }

        progress.Report((endMs - startMs) / DayMs);
    }
}
