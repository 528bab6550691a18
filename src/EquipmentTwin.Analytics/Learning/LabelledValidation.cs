using EquipmentTwin.Analytics.Anomaly;

namespace EquipmentTwin.Analytics.Learning;

/// <summary>Recall and false alarms of one model on held-out rows, judged by the labels.</summary>
public sealed record LabelledFigures(int Faults, int Foreseen, int Alarms, int FalseAlarms, double DeviceMonths)
{
    public double Recall => Faults == 0 ? 0 : Math.Round((double)Foreseen / Faults, 4);

    public double FalseAlarmsPer100DeviceMonths => DeviceMonths <= 0 ? 0 : Math.Round(FalseAlarms * 100 / DeviceMonths, 3);
}

/// <summary>
/// Validation on recorded data, where no simulator knows the truth and the labels stand in for it: an alarm the
/// engine's rule raises (<see cref="AlarmEpisodes"/>) foresees a confirmed fault of its device when the fault follows
/// within <see cref="LabelledRows.PreFailureMs"/>; every other alarm is a false alarm (an engineer either marked it so,
/// or nothing was found to be wrong). Recall is the share of confirmed faults inside the rows' time range that an
/// alarm foresaw.
/// </summary>
public static class LabelledValidation
{
    private const double DaysPerMonth = 30.4375;

    public static LabelledFigures Score(AnomalyModel model, IReadOnlyList<AnomalyFeatureRow> rows, IReadOnlyList<TrainingLabel> labels)
    {
        var alarms = AlarmEpisodes.Find(model, rows);
        var devices = rows.GroupBy(r => r.DeviceId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => (From: g.Min(r => r.WindowEndMs), To: g.Max(r => r.WindowEndMs)), StringComparer.Ordinal);
        var faults = labels.Where(l => l.Kind == TrainingLabel.ConfirmedFault && devices.TryGetValue(l.DeviceId, out var d) && l.AtMs >= d.From && l.AtMs <= d.To)
            .ToList();
        bool Foresees(AlarmEpisode a, TrainingLabel f) => a.DeviceId == f.DeviceId && f.AtMs >= a.RaisedMs && f.AtMs - a.RaisedMs <= LabelledRows.PreFailureMs;
        var foreseen = faults.Count(f => alarms.Any(a => Foresees(a, f)));
        var falseAlarms = alarms.Count(a => !faults.Any(f => Foresees(a, f)));
        var months = rows.Count * AnomalyFeatures.WindowMs / 86_400_000.0 / DaysPerMonth;
        return new LabelledFigures(faults.Count, foreseen, alarms.Count, falseAlarms, Math.Round(months, 3));
    }
}
