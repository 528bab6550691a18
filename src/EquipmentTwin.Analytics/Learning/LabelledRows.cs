using EquipmentTwin.Analytics.Anomaly;

namespace EquipmentTwin.Analytics.Learning;

/// <summary>Feature rows sorted by what the labels say of them: fitting rows, calibration rows, and how many were left out.</summary>
public sealed record LabelledSplit(IReadOnlyList<AnomalyFeatureRow> Fit, IReadOnlyList<AnomalyFeatureRow> Calibration, int Excluded, int KnownHealthy);

/// <summary>
/// Turns labels into training data for the anomaly models. A span engineers called a false alarm is known healthy:
/// its rows are trained on, the first half of each span fitted and the second half kept for threshold calibration, so
/// that fitting and calibration never see the same rows and the candidate learns that behaviour is normal. The weeks
/// before a confirmed fault (and the days around a maintenance visit) are not healthy and are left out of both.
/// What the champion flagged and nobody reviewed is not taken as healthy either (it may be a fault still developing):
/// only an engineer's word puts a flagged span back into training. Rows nothing speaks of are healthy and go to
/// fitting or calibration as the caller decides (by device).
/// </summary>
public static class LabelledRows
{
    /// <summary>How long before a confirmed fault the device is taken to be degrading (the lead the engines aim for).</summary>
    public const long PreFailureMs = 30 * 86_400_000L;

    /// <summary>Around a maintenance visit the signals are disturbed by the work itself.</summary>
    public const long MaintenanceMs = 86_400_000L;

    /// <summary>How far before the alert a false alarm's behaviour started: the evidence must last a week before an alert opens.</summary>
    public const long FalseAlarmLeadMs = (long)(AlarmEpisodes.MinAlarmDays * 86_400_000L) + AnomalyFeatures.WindowMs;

    /// <summary>A false alarm closed without an end time speaks for this long after it opened.</summary>
    public const long FalseAlarmOpenSpanMs = 14 * 86_400_000L;

    /// <param name="rows">Rows of one run or store (several devices, each in time order).</param>
    /// <param name="labels">Labels of those devices.</param>
    /// <param name="flagged">The champion's alarms on these rows (<see cref="AlarmEpisodes"/>, or the alerts it raised): left out unless labelled.</param>
    /// <param name="unlabelledToCalibration">Whether a device's rows that no label speaks of go to calibration (default: to fitting).</param>
    public static LabelledSplit Split(IEnumerable<AnomalyFeatureRow> rows, IReadOnlyList<TrainingLabel> labels, IReadOnlyList<AlarmEpisode>? flagged = null, Func<string, bool>? unlabelledToCalibration = null)
    {
        var flaggedByDevice = (flagged ?? []).ToLookup(a => a.DeviceId, StringComparer.Ordinal);
        var byDevice = labels.ToLookup(l => l.DeviceId, StringComparer.Ordinal);
        var fit = new List<AnomalyFeatureRow>();
        var calibration = new List<AnomalyFeatureRow>();
        var excluded = 0;
        var known = 0;
        foreach (var device in rows.GroupBy(r => r.DeviceId, StringComparer.Ordinal))
        {
            var mine = byDevice[device.Key].ToList();
            var unhealthy = mine.Select(Unhealthy).OfType<(long From, long To)>().ToList();
            var unreviewed = flaggedByDevice[device.Key].Select(a => (From: a.StartMs, To: a.EndMs)).ToList();
            var healthy = mine.Where(l => l.Kind == TrainingLabel.FalseAlarm).Select(KnownHealthy).ToList();
            var toCalibration = unlabelledToCalibration?.Invoke(device.Key) ?? false;
            foreach (var row in device.OrderBy(r => r.WindowEndMs))
            {
                var t = row.WindowEndMs;
                if (unhealthy.Any(s => t >= s.From && t <= s.To))
                {
                    excluded++;
                    continue;
                }

                var span = healthy.FirstOrDefault(s => t >= s.From && t <= s.To);
                if (span != default)
                {
                    known++;
                    (t < span.From + (span.To - span.From) / 2 ? fit : calibration).Add(row);
                }
                else if (unreviewed.Any(s => t >= s.From && t <= s.To))
                {
                    excluded++;
                }
                else
                {
                    (toCalibration ? calibration : fit).Add(row);
                }
            }
        }

        return new LabelledSplit(fit, calibration, excluded, known);
    }

    /// <summary>Whether a row at <paramref name="ms"/> on <paramref name="device"/> lies where the labels say the device was not healthy.</summary>
    public static bool IsUnhealthy(string device, long ms, IReadOnlyList<TrainingLabel> labels) =>
        labels.Where(l => l.DeviceId == device).Select(Unhealthy).OfType<(long From, long To)>().Any(s => ms >= s.From && ms <= s.To);

    private static (long From, long To)? Unhealthy(TrainingLabel l) => l.Kind switch
    {
        TrainingLabel.ConfirmedFault => (l.AtMs - PreFailureMs, l.AtMs + MaintenanceMs),
        TrainingLabel.Maintenance or TrainingLabel.NoFault => (l.AtMs - MaintenanceMs, l.AtMs + MaintenanceMs),
        _ => null,
    };

    private static (long From, long To) KnownHealthy(TrainingLabel l) =>
        (l.AtMs - FalseAlarmLeadMs, l.UntilMs is { } u && u > l.AtMs ? u : l.AtMs + FalseAlarmOpenSpanMs);
}
