using EquipmentTwin.Core.WireFormat;
using static EquipmentTwin.Testing.ReportTimes;

namespace EquipmentTwin.Evaluation.Tests;

/// <summary>Pooling backtest reports: figures recomputed from the runs' counts and faults, not averaged; intervals from resampled runs.</summary>
public class BacktestPoolTests
{
    /// <summary>
    /// A run whose fused view foresaw the failures with <paramref name="leads"/> (null: missed), raised
    /// <paramref name="falseAlarms"/> false alarms, and held <paramref name="held80"/> of <paramref name="withBand"/> first
    /// forecasts in its 80 % band and <paramref name="dailyHeld80"/> of <paramref name="daily"/> daily ones.
    /// </summary>
    internal static BacktestReport Run(int seed, double?[] leads, int falseAlarms, double deviceMonths, int withBand = 0, int held80 = 0, int daily = 0, int dailyHeld80 = 0,
        string scenario = "s", string fleet = "f")
    {
        var found = leads.OfType<double>().Order().ToList();
        var faults = leads.Select((lead, k) => new FaultScore($"f{seed}-{k}", "d", "c", scenario, "machine", At(0), At(50), null,
            new Dictionary<string, string?>(), new Dictionary<string, double?> { ["fused"] = lead }, new Dictionary<string, bool?>(), new Dictionary<string, BandDto?>())).ToList();
        // A sensor fault and a fault that never failed: neither is a failure to foresee.
        faults.Add(new FaultScore($"f{seed}-sensor", "d", "c", "sensor-s", "sensor", At(0), null, null,
            new Dictionary<string, string?>(), new Dictionary<string, double?> { ["fused"] = 99 }, new Dictionary<string, bool?>(), new Dictionary<string, BandDto?>()));
        double? Share(int k, int n) => n == 0 ? null : Math.Round((double)k / n, 4);
        var score = new EngineScore(Math.Round((double)found.Count / leads.Length, 4), null, null, Math.Round(falseAlarms * 100 / deviceMonths, 3), Share(held80, withBand),
            found.Count, leads.Length, falseAlarms, found.Count + falseAlarms, BandCoverage50: Share(held80 / 2, withBand), BandCoverage90: Share(withBand, withBand), WithBand: withBand,
            DailyForecasts: daily, DailyBandCoverage50: Share(dailyHeld80 / 2, daily), DailyBandCoverage80: Share(dailyHeld80, daily), DailyBandCoverage90: Share(daily, daily));
        return new BacktestReport(fleet, seed, 270, At(0), At(270), 1, deviceMonths, new Dictionary<string, EngineScore> { ["fused"] = score }, faults, [], new BacktestTiming(0, 0, 0, 0))
        {
            Scenarios = [new ScenarioScore(scenario, "fused", "machine", leads.Length, leads.Length, found.Count, null, null, null, 1, leads)],
        };
    }

    [Fact]
    public void Pooled_figures_come_from_the_runs_counts_and_failures_not_from_averaging_their_figures()
    {
        // Seed 1: 9 of 10 foreseen (leads 1..9 d), 1 false alarm in 50 device-months, 3 of 4 first forecasts and 80 of
        // 100 daily ones in the 80 % band. Seed 2: 2 of 2 foreseen (20 and 30 d), none false in 10, 0 of 1 first forecast.
        var a = Run(1, [1, 2, 3, 4, 5, 6, 7, 8, 9, null], 1, 50, withBand: 4, held80: 3, daily: 100, dailyHeld80: 80);
        var b = Run(2, [20, 30], 0, 10, withBand: 1, held80: 0);

        var pooled = BacktestPool.Pool([a, b]);
        var s = pooled.Engines["fused"];

        Assert.Equal(11, s.Foreseen);
        Assert.Equal(12, s.Failures);
        Assert.Equal(Math.Round(11 / 12.0, 4), s.Recall); // the mean of the runs' recalls would be 0.95
        Assert.Equal(Math.Round(100 / 60.0, 3), s.FalseAlarmsPer100DeviceMonths); // the mean would be 1.0
        Assert.Equal(0.6, s.BandCoverage80); // 3 of 5; the mean of 0.75 and 0 would be 0.375
        Assert.Equal(5, s.WithBand);
        Assert.Equal(0.8, s.DailyBandCoverage80); // the run without daily forecasts adds none
        Assert.Equal(100, s.DailyForecasts);
        // Leads 1..9, 20, 30 pooled: median the 6th (6 d), P10 at position 1.0 (2 d); the sensor fault's lead is not one.
        Assert.Equal(6, s.LeadTimeDaysMedian);
        Assert.Equal(2, s.LeadTimeDaysP10);
        Assert.Equal(BacktestScorer.CalibratedRanges(5)["80"], s.BandCoverageCalibratedRange!["80"]);
        Assert.Equal(60, pooled.DeviceMonths);
        Assert.Equal([1, 2], pooled.Runs.Select(r => r.Seed));
        Assert.Equal([1, 2], pooled.PerRun["fused"].Select(r => r.Seed));
        Assert.Equal(0.75, pooled.PerRun["fused"][0].BandCoverage80);

        var scenario = Assert.Single(pooled.Scenarios);
        Assert.Equal((12, 11, 2), (scenario.Failures, scenario.Foreseen, scenario.Misattributed));
        Assert.Equal(6, scenario.LeadTimeDaysMedian);
        Assert.Equal(12, scenario.LeadTimesDays.Count);
    }

    [Fact]
    public void Resampling_whole_runs_gives_an_interval_that_closes_when_the_runs_agree_and_opens_when_they_do_not()
    {
        var same = BacktestPool.Pool([Run(1, [5, 6, null, 8], 1, 30), Run(2, [5, 6, null, 8], 1, 30), Run(3, [5, 6, null, 8], 1, 30)]);
        Assert.Equal([0.75, 0.75], same.SeedIntervals["fused"]["recall"]);
        Assert.Equal(same.Engines["fused"].FalseAlarmsPer100DeviceMonths, same.SeedIntervals["fused"]["falseAlarmsPer100DeviceMonths"][0]);
        // No run had a forecast: no band interval rather than one from nothing.
        Assert.False(same.SeedIntervals["fused"].ContainsKey("bandCoverage80"));

        var apart = BacktestPool.Pool([Run(1, [5, null, null, null], 0, 30, withBand: 4, held80: 1), Run(2, [5, 6, 7, 8], 0, 30, withBand: 4, held80: 4), Run(3, [5, 6, null, null], 0, 30, withBand: 4, held80: 2)]);
        var recall = apart.SeedIntervals["fused"]["recall"];
        Assert.True(recall[0] < apart.Engines["fused"].Recall && apart.Engines["fused"].Recall < recall[1], $"{recall[0]}–{recall[1]}");
        Assert.InRange(recall[0], 0.25, 1.0);
        Assert.InRange(recall[1], 0.25, 1.0);
        var band = apart.SeedIntervals["fused"]["bandCoverage80"];
        Assert.True(band[0] < 0.5833 && 0.5833 < band[1], $"{band[0]}–{band[1]}");

        // The same runs in the same order resample alike: the figures can be quoted and checked.
        Assert.Equal(recall, BacktestPool.Pool([Run(1, [5, null, null, null], 0, 30, withBand: 4, held80: 1), Run(2, [5, 6, 7, 8], 0, 30, withBand: 4, held80: 4), Run(3, [5, 6, null, null], 0, 30, withBand: 4, held80: 2)]).SeedIntervals["fused"]["recall"]);
    }

    [Fact]
    public void A_run_counts_once_and_only_runs_scoring_the_same_engines_pool()
    {
        var twice = Assert.Throws<InvalidOperationException>(() => BacktestPool.Pool([Run(7, [1], 0, 10), Run(8, [2], 0, 10), Run(7, [1], 0, 10)]));
        Assert.Contains("seed 7", twice.Message);

        // The same seed on another fleet is another run.
        Assert.Equal(2, BacktestPool.Pool([Run(7, [1], 0, 10), Run(7, [1], 0, 10, fleet: "g")]).Runs.Count);

        var other = Run(9, [1], 0, 10) with { Engines = new Dictionary<string, EngineScore> { ["rules"] = Run(9, [1], 0, 10).Engines["fused"] } };
        Assert.Contains("same engines", Assert.Throws<InvalidOperationException>(() => BacktestPool.Pool([Run(1, [1], 0, 10), other])).Message);
        Assert.Throws<InvalidOperationException>(() => BacktestPool.Pool([]));
    }
}
