using EquipmentTwin.Analytics.Fusion;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Simulator.Simulation;

namespace EquipmentTwin.Evaluation;

/// <summary>
/// Scores alert books against the simulator's ground truth.
/// <list type="bullet">
/// <item>A machine fault that failed inside the run is <b>foreseen</b> by a view when an alert of that view on
/// the same device and component group opened between onset − <see cref="EarlyToleranceMs"/> and the failure.
/// Lead time = failure − that alert's opening.</item>
/// <item>An alert is a <b>false alarm</b> when no machine fault of its device and group was developing or
/// unrepaired at its opening (from onset − tolerance to repair + tolerance; an unrepaired failure keeps the
/// device down to the end). Alerts on sensor faults are
/// false alarms: those must not raise maintenance alerts.</item>
/// <item><b>Band coverage</b>: of foreseen failures whose alert had a forecast, the share whose true failure
/// time lies in the P10–P90 band of the first forecast the alert carried; null when a view gives no band.</item>
/// </list>
/// </summary>
public static class BacktestScorer
{
    public const long EarlyToleranceMs = 86_400_000;
    private const double DayMs = 86_400_000.0;
    private const double DaysPerMonth = 30.4375;

    public static (Dictionary<string, EngineScore> Engines, List<FaultScore> Faults, List<FalseAlarm> FalseAlarms) Score(
        GroundTruth truth, IReadOnlyList<AlertBook> views, IReadOnlyDictionary<string, Modality> modalities, double days)
    {
        var endMs = Parse(truth.End);
        var machine = truth.Faults.Where(f => f.Kind == "machine").ToList();
        var deviceMonths = truth.Devices.Count * days / DaysPerMonth;
        var engines = new Dictionary<string, EngineScore>();
        var falseAlarms = new List<FalseAlarm>();
        var perFault = truth.Faults.ToDictionary(f => f.Id, _ => (First: new Dictionary<string, string?>(), Lead: new Dictionary<string, double?>(), Band: new Dictionary<string, bool?>(), Forecast: new Dictionary<string, BandDto?>()));

        foreach (var view in views)
        {
            string GroupOf(string device, string component) =>
                modalities.TryGetValue(device, out var m) ? view.Options.GroupOf(m, component) : component;

            var alerts = view.All.ToList();
            var leads = new List<double>();
            var covered = 0;
            var withBand = 0;
            var failures = 0;
            foreach (var fault in truth.Faults)
            {
                var onset = Parse(fault.Onset);
                var failure = fault.Failure is null ? (long?)null : Parse(fault.Failure);
                var group = GroupOf(fault.Device, fault.Component);
                var first = fault.Kind != "machine" ? null : alerts
                    .Where(a => a.DeviceId == fault.Device && a.Group == group && a.OpenedMs >= onset - EarlyToleranceMs && a.OpenedMs < (failure ?? endMs))
                    .OrderBy(a => a.OpenedMs).FirstOrDefault();
                var entry = perFault[fault.Id];
                entry.First[view.Name] = first is null ? null : WireCodec.FormatRfc3339(first.OpenedMs);
                entry.Lead[view.Name] = first is not null && failure is not null ? Math.Round((failure.Value - first.OpenedMs) / DayMs, 2) : null;
                entry.Band[view.Name] = null;
                entry.Forecast[view.Name] = first?.FirstForecast is { } ff
                    ? new BandDto(WireCodec.FormatRfc3339(ff.P10Ms), WireCodec.FormatRfc3339(ff.P50Ms), WireCodec.FormatRfc3339(ff.P90Ms), ff.Model)
                    : null;
                if (fault.Kind != "machine" || failure is null)
                {
                    continue;
                }

                failures++;
                if (first is null)
                {
                    continue;
                }

                leads.Add((failure.Value - first.OpenedMs) / DayMs);
                if (first.FirstForecast is { } f)
                {
                    withBand++;
                    var inside = failure.Value >= f.P10Ms && failure.Value <= f.P90Ms;
                    covered += inside ? 1 : 0;
                    entry.Band[view.Name] = inside;
                }
            }

            var viewFalse = alerts.Where(a => !machine.Any(f =>
                    f.Device == a.DeviceId && GroupOf(f.Device, f.Component) == a.Group &&
                    a.OpenedMs >= Parse(f.Onset) - EarlyToleranceMs &&
                    a.OpenedMs <= (f.Repair is not null ? Parse(f.Repair) : endMs) + EarlyToleranceMs))
                .Select(a => new FalseAlarm(view.Name, a.Id, a.DeviceId, a.Component, WireCodec.FormatRfc3339(a.OpenedMs), a.Severity.ToWire(), a.Evidence.FirstOrDefault()?.Summary ?? ""))
                .ToList();
            falseAlarms.AddRange(viewFalse);

            leads.Sort();
            engines[view.Name] = new EngineScore(
                Recall: failures == 0 ? 0 : Math.Round((double)leads.Count / failures, 4),
                LeadTimeDaysMedian: leads.Count == 0 ? null : Math.Round(Quantile(leads, 0.5), 2),
                LeadTimeDaysP10: leads.Count == 0 ? null : Math.Round(Quantile(leads, 0.1), 2),
                FalseAlarmsPer100DeviceMonths: deviceMonths <= 0 ? 0 : Math.Round(viewFalse.Count * 100 / deviceMonths, 3),
                BandCoverage80: withBand == 0 ? null : Math.Round((double)covered / withBand, 4),
                Foreseen: leads.Count,
                Failures: failures,
                FalseAlarms: viewFalse.Count,
                Alerts: alerts.Count);
        }

        var faults = truth.Faults.Select(f =>
        {
            var e = perFault[f.Id];
            return new FaultScore(f.Id, f.Device, f.Component, f.Scenario, f.Kind, f.Onset, f.Failure, f.Repair, e.First, e.Lead, e.Band, e.Forecast);
        }).ToList();
        return (engines, faults, falseAlarms);
    }

    /// <summary>Linear-interpolated quantile of sorted values.</summary>
    internal static double Quantile(List<double> sorted, double q)
    {
        if (sorted.Count == 1)
        {
            return sorted[0];
        }

        var pos = q * (sorted.Count - 1);
        var lo = (int)Math.Floor(pos);
        var hi = Math.Min(lo + 1, sorted.Count - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    private static long Parse(string rfc3339) => DateTimeOffset.Parse(rfc3339, System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
}
