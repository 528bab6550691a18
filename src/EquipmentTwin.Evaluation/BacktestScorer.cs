using EquipmentTwin.Analytics.Fusion;
using EquipmentTwin.Core.Catalog;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Simulator.Simulation;
using MathNet.Numerics.Distributions;

namespace EquipmentTwin.Evaluation;

/// <summary>What <see cref="BacktestScorer.Score"/> returns.</summary>
public sealed record BacktestScores(
    Dictionary<string, EngineScore> Engines,
    List<FaultScore> Faults,
    List<FalseAlarm> FalseAlarms,
    List<ScenarioScore> Scenarios);

/// <summary>
/// Scores alert books against the simulator's ground truth as an engineer reading the alerts would.
/// <list type="bullet">
/// <item>A machine fault that failed inside the run is <b>foreseen</b> by a view when an alert of that view on
/// the same device <b>named</b> the fault's component (or one the catalog puts in the same replaceable unit)
/// at a moment between onset − <see cref="EarlyToleranceMs"/> and the failure. Lead time = failure − that
/// moment. An alert that named another component first and the right one later counts from the later moment.</item>
/// <item>An alert is <b>true</b> when some component it named, at the moment it named it, had a machine fault
/// of that device (same replaceable unit) developing: from onset − tolerance to the repair + tolerance, or,
/// for a failure never repaired in the run, only until the failure (the device is down; later alerts tell
/// nobody anything), or to the end of the run for a fault still developing. Every other alert is a
/// <b>false alarm</b>; it is <b>misattributed</b> when it opened while a machine fault of its device was
/// developing on a component it did not name. Alerts on sensor faults are false alarms: those must not raise
/// maintenance alerts.</item>
/// <item><b>Band coverage</b> at level α: of foreseen failures whose alert first carried a forecast for the
/// fault's unit, the share whose true failure time lies in the central α of that forecast's crossing-time
/// distribution. The distribution is read from its P10/P50/P90 as two half log-normals of time left
/// (half normals when P10 is not after the forecast time), so the 80 % band is exactly P10–P90.
/// The <b>daily</b> coverage reads the same way every forecast for the fault's unit that an open alert of the
/// view on the device carried, sampled once a day, computed from onset − tolerance to the failure.</item>
/// </list>
/// </summary>
public static class BacktestScorer
{
    public const long EarlyToleranceMs = 86_400_000;
    private const double DayMs = 86_400_000.0;
    private const double DaysPerMonth = 30.4375;
    private static readonly double Z90 = Normal.InvCDF(0, 1, 0.9);

    /// <summary>A machine fault's windows in epoch ms.</summary>
    private sealed record Window(GroundTruthFault Fault, IReadOnlySet<string> Unit, long From, long? Failure, long ExcusedUntil);

    public static BacktestScores Score(GroundTruth truth, IReadOnlyList<AlertBook> views, SignalCatalog catalog, double days,
        IReadOnlyDictionary<string, IReadOnlyList<LoggedForecast>>? daily = null)
    {
        var endMs = Parse(truth.End);
        var modalities = truth.Devices.ToDictionary(d => d.Id, d => ModalityNames.TryParse(d.Modality, out var m) ? m : (Modality?)null);
        IReadOnlySet<string> UnitOf(string device, string component) =>
            (modalities.GetValueOrDefault(device) is { } m && catalog.Find(m) is { } mc ? mc.ReplacedWith(component) : [component]).ToHashSet(StringComparer.Ordinal);

        var windows = truth.Faults.Where(f => f.Kind == "machine").Select(f =>
        {
            var failure = f.Failure is null ? (long?)null : Parse(f.Failure);
            var excused = f.Repair is not null ? Parse(f.Repair) + EarlyToleranceMs : failure ?? endMs;
            return new Window(f, UnitOf(f.Device, f.Component), Parse(f.Onset) - EarlyToleranceMs, failure, excused);
        }).ToLookup(w => w.Fault.Device);

        var deviceMonths = truth.Devices.Count * days / DaysPerMonth;
        var engines = new Dictionary<string, EngineScore>();
        var falseAlarms = new List<FalseAlarm>();
        var scenarios = new List<ScenarioScore>();
        var perFault = truth.Faults.ToDictionary(f => f.Id, _ => (First: new Dictionary<string, string?>(), Lead: new Dictionary<string, double?>(), Band: new Dictionary<string, bool?>(), Forecast: new Dictionary<string, BandDto?>(), Daily: new Dictionary<string, IReadOnlyList<BandDto>>(StringComparer.Ordinal)));

        foreach (var view in views)
        {
            var alerts = view.All.OrderBy(a => a.OpenedMs).ThenBy(a => a.Id, StringComparer.Ordinal).ToList();
            var byDevice = alerts.ToLookup(a => a.DeviceId);
            var leads = new List<double>();
            var covered = new int[3]; // 50, 80, 90 %
            var withBand = 0;
            var dailyCovered = new int[3];
            var dailyCount = 0;
            var logged = daily?.GetValueOrDefault(view.Name)?.ToLookup(l => l.DeviceId);
            var failures = 0;
            var leadByFault = new Dictionary<string, double?>();
            foreach (var fault in truth.Faults)
            {
                var entry = perFault[fault.Id];
                entry.Band[view.Name] = null;
                entry.First[view.Name] = null;
                entry.Lead[view.Name] = null;
                entry.Forecast[view.Name] = null;
                if (fault.Kind != "machine")
                {
                    continue;
                }

                var w = windows[fault.Device].First(x => x.Fault.Id == fault.Id);
                var until = w.Failure ?? endMs;
                var first = byDevice[fault.Device]
                    .SelectMany(a => a.NamedMs.Where(n => w.Unit.Contains(n.Key) && n.Value >= w.From && n.Value < until).Select(n => (Alert: a, Ms: n.Value)))
                    .OrderBy(x => x.Ms).ThenBy(x => x.Alert.Id, StringComparer.Ordinal)
                    .FirstOrDefault();
                // A forecast the alert first carried after the failure foresaw nothing: the alert had no band before it.
                var forecast = first.Alert?.FirstForecast is { } ff && w.Unit.Contains(ff.Component) && ff.ComputedAtMs < until ? ff : null;
                entry.First[view.Name] = first.Alert is null ? null : WireCodec.FormatRfc3339(first.Ms);
                entry.Forecast[view.Name] = forecast is null ? null : ToBand(forecast);
                if (w.Failure is not { } failure)
                {
                    continue;
                }

                failures++;
                var shown = new List<BandDto>();
                entry.Daily[view.Name] = shown;
                foreach (var l in logged?[fault.Device] ?? [])
                {
                    var f = l.Forecast;
                    if (!w.Unit.Contains(f.Component) || f.ComputedAtMs < w.From || f.ComputedAtMs >= failure)
                    {
                        continue;
                    }

                    dailyCount++;
                    shown.Add(ToBand(f));
                    var u = Pit(f, failure);
                    dailyCovered[0] += Math.Abs(u - 0.5) <= 0.25 ? 1 : 0;
                    dailyCovered[1] += failure >= f.P10Ms && failure <= f.P90Ms ? 1 : 0;
                    dailyCovered[2] += Math.Abs(u - 0.5) <= 0.45 ? 1 : 0;
                }

                if (first.Alert is null)
                {
                    leadByFault[fault.Id] = null;
                    continue;
                }

                var lead = (failure - first.Ms) / DayMs;
                leads.Add(lead);
                leadByFault[fault.Id] = Math.Round(lead, 2);
                entry.Lead[view.Name] = Math.Round(lead, 2);
                if (forecast is not null)
                {
                    withBand++;
                    var u = Pit(forecast, failure);
                    covered[0] += Math.Abs(u - 0.5) <= 0.25 ? 1 : 0;
                    covered[1] += failure >= forecast.P10Ms && failure <= forecast.P90Ms ? 1 : 0;
                    covered[2] += Math.Abs(u - 0.5) <= 0.45 ? 1 : 0;
                    entry.Band[view.Name] = failure >= forecast.P10Ms && failure <= forecast.P90Ms;
                }
            }

            var viewFalse = new List<FalseAlarm>();
            var misattributedByScenario = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var a in alerts)
            {
                var device = windows[a.DeviceId];
                if (a.NamedMs.Any(n => device.Any(w => w.Unit.Contains(n.Key) && n.Value >= w.From && n.Value <= w.ExcusedUntil)))
                {
                    continue;
                }

                var developing = device.Where(w => a.OpenedMs >= w.From && a.OpenedMs <= w.ExcusedUntil).OrderBy(w => w.From).FirstOrDefault();
                if (developing is not null)
                {
                    misattributedByScenario[developing.Fault.Scenario] = misattributedByScenario.GetValueOrDefault(developing.Fault.Scenario) + 1;
                }

                viewFalse.Add(new FalseAlarm(view.Name, a.Id, a.DeviceId, a.Component, WireCodec.FormatRfc3339(a.OpenedMs), a.Severity.ToWire(),
                    a.Evidence.FirstOrDefault()?.Summary ?? "", developing is not null, developing?.Fault.Id, a.OpenedOn));
            }

            falseAlarms.AddRange(viewFalse);
            leads.Sort();
            engines[view.Name] = EngineScoreOf(leads, failures, viewFalse.Count, alerts.Count, viewFalse.Count(f => f.Misattributed), deviceMonths, covered, withBand, dailyCovered, dailyCount);

            foreach (var g in truth.Faults.GroupBy(f => f.Scenario).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                var failed = g.Where(f => leadByFault.ContainsKey(f.Id)).ToList();
                scenarios.Add(ScenarioScoreOf(g.Key, view.Name, g.First().Kind, g.Count(), misattributedByScenario.GetValueOrDefault(g.Key), failed.Select(f => leadByFault[f.Id]).ToList()));
            }
        }

        var faults = truth.Faults.Select(f =>
        {
            var e = perFault[f.Id];
            return new FaultScore(f.Id, f.Device, f.Component, f.Scenario, f.Kind, f.Onset, f.Failure, f.Repair, e.First, e.Lead, e.Band, e.Forecast)
            {
                DailyBands = daily is null ? null : e.Daily.Where(p => p.Value.Count > 0).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal),
            };
        }).ToList();
        return new BacktestScores(engines, faults, falseAlarms, scenarios);
    }

    /// <summary>
    /// A view's scores from its counts: <paramref name="sortedLeads"/> the lead times of the foreseen failures, ascending;
    /// <paramref name="covered"/> and <paramref name="dailyCovered"/> how many first and daily forecasts the 50, 80 and 90 %
    /// bands held. Shared by one run's scoring and the pooling of several (<see cref="BacktestPool"/>).
    /// </summary>
    internal static EngineScore EngineScoreOf(List<double> sortedLeads, int failures, int falseAlarms, int alerts, int misattributed, double deviceMonths,
        int[] covered, int withBand, int[] dailyCovered, int dailyCount)
    {
        double? Share(int k, int n) => n == 0 ? null : Math.Round((double)k / n, 4);
        return new EngineScore(
            Recall: failures == 0 ? 0 : Math.Round((double)sortedLeads.Count / failures, 4),
            LeadTimeDaysMedian: sortedLeads.Count == 0 ? null : Math.Round(Quantile(sortedLeads, 0.5), 2),
            LeadTimeDaysP10: sortedLeads.Count == 0 ? null : Math.Round(Quantile(sortedLeads, 0.1), 2),
            FalseAlarmsPer100DeviceMonths: deviceMonths <= 0 ? 0 : Math.Round(falseAlarms * 100 / deviceMonths, 3),
            BandCoverage80: Share(covered[1], withBand),
            Foreseen: sortedLeads.Count,
            Failures: failures,
            FalseAlarms: falseAlarms,
            Alerts: alerts,
            Misattributed: misattributed,
            BandCoverage50: Share(covered[0], withBand),
            BandCoverage90: Share(covered[2], withBand),
            WithBand: withBand,
            DailyForecasts: dailyCount,
            DailyBandCoverage50: Share(dailyCovered[0], dailyCount),
            DailyBandCoverage80: Share(dailyCovered[1], dailyCount),
            DailyBandCoverage90: Share(dailyCovered[2], dailyCount),
            BandCoverageCalibratedRange: withBand == 0 ? null : CalibratedRanges(withBand));
    }

    /// <summary>One view's scores on a scenario's faults; <paramref name="leadTimesDays"/>: one per failure, null when not foreseen.</summary>
    internal static ScenarioScore ScenarioScoreOf(string scenario, string view, string kind, int faults, int misattributed, IReadOnlyList<double?> leadTimesDays)
    {
        var found = leadTimesDays.OfType<double>().Order().ToList();
        return new ScenarioScore(scenario, view, kind, faults, leadTimesDays.Count, found.Count,
            leadTimesDays.Count == 0 ? null : Math.Round((double)found.Count / leadTimesDays.Count, 4),
            found.Count == 0 ? null : Math.Round(Quantile(found, 0.5), 2),
            found.Count == 0 ? null : Math.Round(Quantile(found, 0.1), 2),
            misattributed,
            leadTimesDays);
    }

    /// <summary>A forecast as the report gives it: its quantiles, model, when it was computed and the fit's own P50 and spread.</summary>
    private static BandDto ToBand(Analytics.Engines.Forecast f) =>
        new(WireCodec.FormatRfc3339(f.P10Ms), WireCodec.FormatRfc3339(f.P50Ms), WireCodec.FormatRfc3339(f.P90Ms), f.Model, WireCodec.FormatRfc3339(f.ComputedAtMs),
            f.Parameters.TryGetValue("fit_p50_days", out var fitDays) ? WireCodec.FormatRfc3339(f.ComputedAtMs + (long)Math.Round(fitDays * DayMs)) : null,
            f.Parameters.TryGetValue("fit_log_sd", out var fitSd) ? Math.Round(fitSd, 4) : null,
            f.Parameters.TryGetValue("evidence_age_days", out var age) ? Math.Round(age, 4) : null);

    /// <summary>
    /// Where the true crossing falls in the forecast's distribution (0..1): two half log-normals of the time left
    /// from the forecast's computation, matched to P10/P50/P90 (half normals when the band starts at once).
    /// </summary>
    internal static double Pit(Analytics.Engines.Forecast f, long actualMs)
    {
        if (f is { P05Ms: { } p05, P25Ms: { } p25, P75Ms: { } p75, P95Ms: { } p95 })
        {
            // A forecast that states its 5/25/75/95 % quantiles is read by them: linear between them, so the
            // central 50 % band is exactly P25–P75 and the 90 % band P05–P95.
            long[] at = [p05, f.P10Ms, p25, f.P50Ms, p75, f.P90Ms, p95];
            double[] level = [0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95];
            if (actualMs < at[0])
            {
                return 0.025;
            }

            for (var i = 1; i < at.Length; i++)
            {
                if (actualMs <= at[i])
                {
                    return at[i] == at[i - 1] ? level[i] : level[i - 1] + (level[i] - level[i - 1]) * (actualMs - at[i - 1]) / (double)(at[i] - at[i - 1]);
                }
            }

            return 0.975;
        }

        double d10 = f.P10Ms - f.ComputedAtMs, d50 = f.P50Ms - f.ComputedAtMs, d90 = f.P90Ms - f.ComputedAtMs, t = actualMs - f.ComputedAtMs;
        if (d10 > 0 && d50 > 0 && t > 0)
        {
            var s = t <= d50 ? Math.Log(d50 / d10) / Z90 : Math.Log(d90 / d50) / Z90;
            return s <= 0 ? (t < d50 ? 0 : t > d50 ? 1 : 0.5) : Normal.CDF(0, 1, Math.Log(t / d50) / s);
        }

        var sd = t <= d50 ? (d50 - d10) / Z90 : (d90 - d50) / Z90;
        return sd <= 0 ? (t < d50 ? 0 : t > d50 ? 1 : 0.5) : Normal.CDF(0, 1, (t - d50) / sd);
    }

    /// <summary>
    /// Per band level, the share of <paramref name="n"/> forecasts a perfectly calibrated band would hold at its 5 % and
    /// 95 % quantiles: the smallest k/n whose binomial(n, level) CDF reaches 0.05, and the smallest reaching 0.95.
    /// </summary>
    public static IReadOnlyDictionary<string, double[]> CalibratedRanges(int n) =>
        new SortedDictionary<string, double[]>(StringComparer.Ordinal)
        {
            ["50"] = CalibratedRange(n, 0.5),
            ["80"] = CalibratedRange(n, 0.8),
            ["90"] = CalibratedRange(n, 0.9),
        };

    /// <summary>The 5 % and 95 % quantiles of k/n for k ~ binomial(n, p).</summary>
    public static double[] CalibratedRange(int n, double p)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        int Q(double q)
        {
            var k = 0;
            while (k < n && Binomial.CDF(p, n, k) < q)
            {
                k++;
            }

            return k;
        }

        return [Math.Round((double)Q(0.05) / n, 4), Math.Round((double)Q(0.95) / n, 4)];
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
