using EquipmentTwin.Analytics.Anomaly;

namespace EquipmentTwin.Analytics.Learning;

/// <summary>
/// The anomaly engine's alarm rule replayed on feature rows, with times: ≥ 3 of 4 windows above the threshold raise
/// evidence, 4 below in a row withdraw it, and fusion opens an alert once it has lasted the minimum age. The same rule
/// <see cref="AnomalyThresholdCalibrator.Alarms"/> counts; here each alarm keeps its device and times so that labels
/// can be matched to it.
/// </summary>
public static class AlarmEpisodes
{
    /// <summary>Days evidence must last before fusion lets the anomaly engine open an alert alone.</summary>
    public const double MinAlarmDays = 7;

    /// <summary>Alarms of <paramref name="threshold"/> on rows of one or more devices (each device's rows in time order).</summary>
    public static IReadOnlyList<AlarmEpisode> Find(AnomalyModel model, IEnumerable<AnomalyFeatureRow> rows, double? threshold = null, double minAlarmDays = MinAlarmDays)
    {
        var t = threshold ?? model.Threshold;
        var minWindows = (int)Math.Ceiling(minAlarmDays * 86_400_000.0 / AnomalyFeatures.WindowMs);
        var episodes = new List<AlarmEpisode>();
        foreach (var device in rows.GroupBy(r => r.DeviceId, StringComparer.Ordinal))
        {
            var ordered = device.OrderBy(r => r.WindowEndMs).ToArray();
            var scores = ordered.Select(model.Score).ToArray();
            var active = false;
            var below = 0;
            var start = 0;
            long? raised = null;
            for (var i = 0; i < scores.Length; i++)
            {
                if (!active)
                {
                    var recent = 0;
                    var first = i;
                    for (var k = Math.Max(0, i - AnomalyEngine.PersistenceWindows + 1); k <= i; k++)
                    {
                        if (scores[k] > t)
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
                else if (scores[i] > t)
                {
                    below = 0;
                }
                else if (++below >= AnomalyEngine.WithdrawAfter)
                {
                    active = false;
                    if (raised is { } r)
                    {
                        episodes.Add(new AlarmEpisode(device.Key, ordered[start].WindowEndMs, r, ordered[i].WindowEndMs));
                    }

                    continue;
                }

                if (active && raised is null && i - start + 1 >= minWindows)
                {
                    raised = ordered[i].WindowEndMs;
                }
            }

            if (active && raised is { } open)
            {
                episodes.Add(new AlarmEpisode(device.Key, ordered[start].WindowEndMs, open, ordered[^1].WindowEndMs));
            }
        }

        return episodes;
    }
}
