namespace EquipmentTwin.Evaluation;

/// <summary>Which run a pooled report read.</summary>
public sealed record PooledRun(string Fleet, int Seed, double Days, int Devices, double DeviceMonths);

/// <summary>
/// One engine's figures on one run of a pool, as the pool's table lists them per run. Coverage figures are of first
/// forecasts (<see cref="EngineScore.BandCoverage80"/>) and of daily ones.
/// </summary>
public sealed record RunFigures(
    int Seed,
    double Recall,
    double? LeadTimeDaysMedian,
    double? LeadTimeDaysP10,
    double FalseAlarmsPer100DeviceMonths,
    double? BandCoverage50,
    double? BandCoverage80,
    int WithBand,
    double? DailyBandCoverage50,
    double? DailyBandCoverage80,
    int DailyForecasts);

/// <summary>What <c>twin pool-reports</c> prints and writes with <c>--json</c>: several backtests read as one.</summary>
/// <param name="Engines">Per view, the pooled scores in <c>twin evaluate</c>'s shape: counts summed, lead times and forecasts pooled.</param>
/// <param name="SeedIntervals">
/// Per view and figure, the 5 % and 95 % quantiles of that pooled figure over <see cref="BacktestPool.Resamples"/> resamples
/// of whole runs with replacement: how far the pooled figure moves with which runs happened to be drawn. Forecasts of one
/// fault, and faults of one run, are not independent; resampling whole runs keeps them together.
/// </param>
/// <param name="PerRun">Per view, each run's own figures, in the order read.</param>
public sealed record PooledReport(
    IReadOnlyList<PooledRun> Runs,
    double DeviceMonths,
    IReadOnlyDictionary<string, EngineScore> Engines,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, double[]>> SeedIntervals,
    IReadOnlyDictionary<string, IReadOnlyList<RunFigures>> PerRun,
    IReadOnlyList<ScenarioScore> Scenarios);

/// <summary>
/// Pools backtest reports (<c>twin evaluate --json</c>) of several runs: one seed's failures are too few for its band
/// coverage or lead-time P10 to say much (docs/models.md, "How far one seed's coverage can tell"), so vendors judge a
/// fleet on many seeds together. Everything is recomputed from counts and per-fault figures, exactly as one run would
/// score them, not averaged.
/// </summary>
public static class BacktestPool
{
    /// <summary>Resamples of whole runs behind <see cref="PooledReport.SeedIntervals"/>.</summary>
    public const int Resamples = 2000;

    /// <summary>Figures <see cref="PooledReport.SeedIntervals"/> gives per view, by their JSON names.</summary>
    private static readonly (string Name, Func<EngineScore, double?> Of)[] IntervalFigures =
    [
        ("recall", s => s.Recall),
        ("leadTimeDaysP10", s => s.LeadTimeDaysP10),
        ("falseAlarmsPer100DeviceMonths", s => s.FalseAlarmsPer100DeviceMonths),
        ("bandCoverage50", s => s.BandCoverage50),
        ("bandCoverage80", s => s.BandCoverage80),
        ("bandCoverage90", s => s.BandCoverage90),
        ("dailyBandCoverage50", s => s.DailyBandCoverage50),
        ("dailyBandCoverage80", s => s.DailyBandCoverage80),
        ("dailyBandCoverage90", s => s.DailyBandCoverage90),
    ];

    /// <summary>Pools <paramref name="reports"/>; throws <see cref="InvalidOperationException"/> when they cannot be read as one.</summary>
    public static PooledReport Pool(IReadOnlyList<BacktestReport> reports)
    {
        if (reports.Count == 0)
        {
            throw new InvalidOperationException("no reports to pool");
        }

        var twice = reports.GroupBy(r => (r.Fleet, r.Seed, r.Days, r.Start)).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null)
        {
            throw new InvalidOperationException($"the run of {twice.Key.Fleet}, seed {twice.Key.Seed}, {twice.Key.Days:0.#} days is given {twice.Count()} times: each run may count once");
        }

        var views = reports[0].Engines.Keys.ToList();
        foreach (var r in reports)
        {
            if (!r.Engines.Keys.ToHashSet(StringComparer.Ordinal).SetEquals(views))
            {
                throw new InvalidOperationException($"the run of seed {r.Seed} scores the engines {string.Join(", ", r.Engines.Keys)}, the first run {string.Join(", ", views)}: only runs scoring the same engines pool");
            }
        }

        var all = Enumerable.Range(0, reports.Count).ToArray();
        var engines = views.ToDictionary(v => v, v => Score(reports, all, v), StringComparer.Ordinal);
        var random = new Random(20261207);
        var draws = Enumerable.Range(0, Resamples).Select(_ => Enumerable.Range(0, reports.Count).Select(_ => random.Next(reports.Count)).ToArray()).ToList();
        var intervals = views.ToDictionary(v => v, v => Intervals(reports, draws, v), StringComparer.Ordinal);
        var perRun = views.ToDictionary(v => v, v => (IReadOnlyList<RunFigures>)reports.Select(r =>
        {
            var s = r.Engines[v];
            return new RunFigures(r.Seed, s.Recall, s.LeadTimeDaysMedian, s.LeadTimeDaysP10, s.FalseAlarmsPer100DeviceMonths, s.BandCoverage50, s.BandCoverage80, s.WithBand,
                s.DailyBandCoverage50, s.DailyBandCoverage80, s.DailyForecasts);
        }).ToList(), StringComparer.Ordinal);

        return new PooledReport(
            reports.Select(r => new PooledRun(r.Fleet, r.Seed, r.Days, r.Devices, r.DeviceMonths)).ToList(),
            Math.Round(reports.Sum(r => r.DeviceMonths), 3),
            engines,
            intervals,
            perRun,
            Scenarios(reports));
    }

    /// <summary>One view's scores over the runs <paramref name="picked"/> (a run may appear more than once in a resample).</summary>
    private static EngineScore Score(IReadOnlyList<BacktestReport> reports, int[] picked, string view)
    {
        int failures = 0, falseAlarms = 0, alerts = 0, misattributed = 0, withBand = 0, daily = 0;
        var covered = new int[3];
        var dailyCovered = new int[3];
        double deviceMonths = 0;
        var leads = new List<double>();
        foreach (var i in picked)
        {
            var r = reports[i];
            var s = r.Engines[view];
            failures += s.Failures;
            falseAlarms += s.FalseAlarms;
            alerts += s.Alerts;
            misattributed += s.Misattributed;
            deviceMonths += r.DeviceMonths;
            withBand += s.WithBand;
            daily += s.DailyForecasts;
            covered[0] += Count(s.BandCoverage50, s.WithBand);
            covered[1] += Count(s.BandCoverage80, s.WithBand);
            covered[2] += Count(s.BandCoverage90, s.WithBand);
            dailyCovered[0] += Count(s.DailyBandCoverage50, s.DailyForecasts);
            dailyCovered[1] += Count(s.DailyBandCoverage80, s.DailyForecasts);
            dailyCovered[2] += Count(s.DailyBandCoverage90, s.DailyForecasts);
            leads.AddRange(r.Faults.Where(f => f.Kind == "machine" && f.Failure is not null).Select(f => f.LeadTimeDays.GetValueOrDefault(view)).OfType<double>());
        }

        leads.Sort();
        return BacktestScorer.EngineScoreOf(leads, failures, falseAlarms, alerts, misattributed, deviceMonths, covered, withBand, dailyCovered, daily);
    }

    /// <summary>How many of <paramref name="n"/> forecasts a share rounded to four places stands for (exact up to 5,000 forecasts).</summary>
    private static int Count(double? share, int n) => share is { } s ? (int)Math.Round(s * n) : 0;

    private static IReadOnlyDictionary<string, double[]> Intervals(IReadOnlyList<BacktestReport> reports, List<int[]> draws, string view)
    {
        var values = IntervalFigures.ToDictionary(f => f.Name, _ => new List<double>(), StringComparer.Ordinal);
        foreach (var draw in draws)
        {
            var score = Score(reports, draw, view);
            foreach (var (name, of) in IntervalFigures)
            {
                if (of(score) is { } v)
                {
                    values[name].Add(v);
                }
            }
        }

        var result = new SortedDictionary<string, double[]>(StringComparer.Ordinal);
        foreach (var (figure, list) in values)
        {
            // A figure some resamples cannot give (no forecast drawn) has no interval rather than one from the others.
            if (list.Count == draws.Count)
            {
                list.Sort();
                result[figure] = [Math.Round(BacktestScorer.Quantile(list, 0.05), 4), Math.Round(BacktestScorer.Quantile(list, 0.95), 4)];
            }
        }

        return result;
    }

    private static List<ScenarioScore> Scenarios(IReadOnlyList<BacktestReport> reports) =>
        reports.SelectMany(r => r.Scenarios)
            .GroupBy(s => (s.Scenario, s.Engine))
            .OrderBy(g => g.Key.Scenario, StringComparer.Ordinal).ThenBy(g => Array.IndexOf(Backtest.ViewNames, g.Key.Engine))
            .Select(g => BacktestScorer.ScenarioScoreOf(g.Key.Scenario, g.Key.Engine, g.First().Kind, g.Sum(s => s.Faults), g.Sum(s => s.Misattributed), g.SelectMany(s => s.LeadTimesDays).ToList()))
            .ToList();
}
