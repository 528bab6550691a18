using EquipmentTwin.Analytics.Anomaly;

namespace EquipmentTwin.Analytics.Learning;

/// <summary>
/// The anomaly engine's alarm rule replayed on feature rows, with times: ≥ 3 of 4 windows above the threshold raise
/// evidence, 4 below in a row withdraw it, and fusion opens an alert once it has lasted the minimum age
/// (<see cref="AlarmRule"/>, which <see cref="AnomalyThresholdCalibrator.Alarms"/> counts too); here each alarm keeps its
/// device and times so that labels can be matched to it.
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
            foreach (var e in AlarmRule.Replay(scores, t, minWindows))
            {
                episodes.Add(new AlarmEpisode(device.Key, ordered[e.Start].WindowEndMs, ordered[e.Raised].WindowEndMs, ordered[e.End].WindowEndMs));
            }
        }

        return episodes;
    }
}
