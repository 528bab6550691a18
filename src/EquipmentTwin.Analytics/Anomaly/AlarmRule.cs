namespace EquipmentTwin.Analytics.Anomaly;

/// <summary>
/// The anomaly engine's alarm rule replayed on one device's window scores, in time order: ≥ <see cref="AnomalyEngine.PersistenceRequired"/>
/// of the last <see cref="AnomalyEngine.PersistenceWindows"/> windows above the threshold raise evidence,
/// <see cref="AnomalyEngine.WithdrawAfter"/> below in a row withdraw it, and an alarm counts once the evidence has lasted
/// <c>minWindows</c> windows (the age fusion waits for before the engine may open an alert alone). The threshold
/// calibration counts these alarms; the feedback loop matches labels to them.
/// </summary>
public static class AlarmRule
{
    /// <summary>One alarm, as window indices: the first window of the run that raised it, the window it counted from, and its last window.</summary>
    public readonly record struct Episode(int Start, int Raised, int End);

    public static List<Episode> Replay(IReadOnlyList<double> scores, double threshold, int minWindows)
    {
        var episodes = new List<Episode>();
        var active = false;
        var below = 0;
        var start = 0;
        int? raised = null;
        for (var i = 0; i < scores.Count; i++)
        {
            if (!active)
            {
                var recent = 0;
                var first = i;
                for (var k = Math.Max(0, i - AnomalyEngine.PersistenceWindows + 1); k <= i; k++)
                {
                    if (scores[k] > threshold)
                    {
                        recent++;
                        first = Math.Min(first, k);
                    }
                }

                if (recent >= AnomalyEngine.PersistenceRequired)
                {
                    active = true;
                    raised = null;
                    below = 0;
                    start = first;
                }
            }
            else if (scores[i] > threshold)
            {
                below = 0;
            }
            else if (++below >= AnomalyEngine.WithdrawAfter)
            {
                active = false;
                if (raised is { } r)
                {
                    episodes.Add(new Episode(start, r, i));
                }

                continue;
            }

            if (active && raised is null && i - start + 1 >= minWindows)
            {
                raised = i;
            }
        }

        if (active && raised is { } open)
        {
            episodes.Add(new Episode(start, open, scores.Count - 1));
        }

        return episodes;
    }
}
