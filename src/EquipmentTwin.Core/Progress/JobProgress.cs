namespace EquipmentTwin.Core.Progress;

/// <summary>Progress helpers: the sink that shows nothing, and steps for code that only has log lines.</summary>
public static class JobProgress
{
    /// <summary>Reports to nowhere.</summary>
    public static IJobProgress None { get; } = new NoProgress();

    /// <summary>A log callback that begins a step of unknown length per message.</summary>
    public static Action<string> AsLog(this IJobProgress progress) => message => progress.Step(message);

    private sealed class NoProgress : IJobProgress
    {
        public void Step(string description, double? total = null, string unit = "")
        {
        }

        public void Report(double done)
        {
        }
    }
}
