using EquipmentTwin.Analytics.Engines;
using EquipmentTwin.Analytics.Fusion;
using EquipmentTwin.Core.Catalog;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Simulator.Simulation;
using EquipmentTwin.Testing;
using static EquipmentTwin.Testing.ReportTimes;

namespace EquipmentTwin.Evaluation.Tests;

public class BacktestScorerTests
{
    private static readonly SignalCatalog Catalog = SignalCatalog.LoadDirectory(RepoPaths.Catalog);

    private static void Raise(AlertBook book, string device, string component, double day, Forecast? forecast = null, Modality modality = Modality.Mri)
    {
        var context = new DeviceContext(device, "s1", modality, Catalog[modality]);
        var evidence = new Evidence(EngineKind.Physics, "m", component, Ms(day), Ms(day), 0.9, Severity.Error, "test", [], forecast);
        book.Evaluate(context, [evidence], Ms(day));
    }

    private static Forecast Band(double at, double p10, double p50, double p90, string component = "cold_head") =>
        new(component, "he_level_pct", 40, ThresholdDirection.Below, Ms(p10), Ms(p50), Ms(p90), "test", new Dictionary<string, double>(), 0.9, 10, Ms(at));

    private static GroundTruthDevice Mri(string id) => new(id, "s1", "mri", "A", "B");

    private static GroundTruthDevice Ct(string id) => new(id, "s1", "ct", "A", "B");

    private static GroundTruthFault Machine(string id, string device, string component, double onset, double? failure, double? repair, string scenario = "x") =>
        new(id, device, component, scenario, "machine", At(onset), failure is { } f ? At(f) : null, repair is { } r ? At(r) : null, []);

    private static BacktestScores Score(IReadOnlyList<GroundTruthDevice> devices, IReadOnlyList<GroundTruthFault> faults, AlertBook book) =>
        BacktestScorer.Score(new GroundTruth("t", 1, At(0), At(100), devices, faults, []), [book], Catalog, 100);

    [Fact]
    public void Recall_lead_time_false_alarms_and_band_coverage_follow_their_definitions()
    {
        var book = new AlertBook("fused", new FusionOptions());
        Raise(book, "m1", "cold_head", 30, Band(30, 35, 39, 45));   // foreseen 10 days ahead, failure inside the band
        Raise(book, "m3", "cryostat", 20);                          // on a sensor fault: a false alarm
        // m2's failure at day 30 goes unseen.

        var s = Score([Mri("m1"), Mri("m2"), Mri("m3")],
        [
            Machine("f1", "m1", "cold_head", 10, 40, 41, "mri-cold-head-wear"),
            Machine("f2", "m2", "cold_head", 10, 30, null, "mri-cold-head-wear"),
            new("f3", "m3", "cryostat", "sensor-mri-he-level-stuck", "sensor", At(5), null, null, ["he_level_pct"]),
        ], book);

        var e = s.Engines["fused"];
        Assert.Equal(0.5, e.Recall);
        Assert.Equal(10, e.LeadTimeDaysMedian);
        Assert.Equal(1, e.BandCoverage80);
        Assert.Equal(1, e.FalseAlarms);
        Assert.Equal(0, e.Misattributed);
        Assert.Equal(Math.Round(100 / (3 * 100 / 30.4375), 3), e.FalseAlarmsPer100DeviceMonths);
        Assert.Equal(("m3", "test"), (Assert.Single(s.FalseAlarms).Device, s.FalseAlarms[0].OpenedOn));
        Assert.Equal(At(30), s.Faults.Single(f => f.Id == "f1").FirstAlert["fused"]);
        Assert.Null(s.Faults.Single(f => f.Id == "f2").FirstAlert["fused"]);
        var row = s.Scenarios.Single(r => r.Scenario == "mri-cold-head-wear");
        Assert.Equal((2, 1, 0.5, 10.0), (row.Failures, row.Foreseen, row.Recall!.Value, row.LeadTimeDaysMedian!.Value));
    }

    [Fact]
    public void An_alert_naming_another_component_of_the_faulty_device_is_misattributed_and_foresees_nothing()
    {
        var book = new AlertBook("fused", new FusionOptions());
        Raise(book, "m1", "cryostat", 20);       // same fusion group as the cold head, but not the part to replace
        Raise(book, "m2", "gradient_amp", 20);

        var s = Score([Mri("m1"), Mri("m2")],
            [Machine("f1", "m1", "cold_head", 10, 40, 41), Machine("f2", "m2", "cold_head", 10, 40, 41)], book);

        var e = s.Engines["fused"];
        Assert.Equal(0, e.Recall);
        Assert.Equal(2, e.FalseAlarms);
        Assert.Equal(2, e.Misattributed);
        Assert.All(s.FalseAlarms, f => Assert.True(f.Misattributed));
        Assert.Equal(["f1", "f2"], s.FalseAlarms.Select(f => f.Fault!).Order());
    }

    [Fact]
    public void An_alert_that_names_the_right_component_later_foresees_from_that_moment()
    {
        var book = new AlertBook("fused", new FusionOptions());
        Raise(book, "m1", "cryostat", 20);
        var context = new DeviceContext("m1", "s1", Modality.Mri, Catalog[Modality.Mri]);
        book.Evaluate(context,
        [
            new Evidence(EngineKind.Physics, "m", "cryostat", Ms(20), Ms(25), 0.6, Severity.Warning, "helium", []),
            new Evidence(EngineKind.Rules, "r", "cold_head", Ms(25), Ms(25), 0.9, Severity.Error, "2nd stage", []),
        ], Ms(25));

        var s = Score([Mri("m1")], [Machine("f1", "m1", "cold_head", 10, 40, 41)], book);

        Assert.Equal(1, s.Engines["fused"].Recall);
        Assert.Equal(15, s.Engines["fused"].LeadTimeDaysMedian);
        Assert.Equal(0, s.Engines["fused"].FalseAlarms);
    }

    [Fact]
    public void A_component_in_the_same_replaceable_unit_counts_as_the_right_one()
    {
        Assert.Contains("cathode", Catalog[Modality.Ct].ReplacedWith("tube_insert"));
        var book = new AlertBook("fused", new FusionOptions());
        Raise(book, "c1", "cathode", 20, modality: Modality.Ct);        // the tube is replaced whole
        Raise(book, "c2", "tube_cooling", 20, modality: Modality.Ct);   // the oil pump is not part of the tube

        var s = Score([Ct("c1"), Ct("c2")],
            [Machine("f1", "c1", "tube_insert", 10, 40, 41), Machine("f2", "c2", "anode_bearing", 10, 40, 41)], book);

        Assert.Equal(0.5, s.Engines["fused"].Recall);
        Assert.Equal(1, s.Engines["fused"].Misattributed);
        Assert.Equal("c2", Assert.Single(s.FalseAlarms).Device);
    }

    [Fact]
    public void An_unrepaired_failure_excuses_alerts_on_its_component_only_and_only_until_the_failure()
    {
        var book = new AlertBook("fused", new FusionOptions());
        Raise(book, "m1", "cold_head", 35);       // after the failure at day 30, never repaired: tells nobody anything
        Raise(book, "m2", "cold_head", 25);       // before the failure: foreseen
        Raise(book, "m2", "gradient_amp", 27);    // another component of the same device: not excused

        var s = Score([Mri("m1"), Mri("m2")],
            [Machine("f1", "m1", "cold_head", 10, 30, null), Machine("f2", "m2", "cold_head", 10, 30, null)], book);

        var e = s.Engines["fused"];
        Assert.Equal(0.5, e.Recall);
        Assert.Equal(2, e.FalseAlarms);
        Assert.Equal(["m1-cold_head-1", "m2-gradient_amp-1"], s.FalseAlarms.Select(f => f.AlertId).Order());
        Assert.False(s.FalseAlarms.Single(f => f.Device == "m1").Misattributed);   // the fault is over: a plain false alarm
        Assert.True(s.FalseAlarms.Single(f => f.Device == "m2").Misattributed);
    }

    [Fact]
    public void A_repaired_failure_excuses_alerts_on_its_component_until_a_day_after_the_repair()
    {
        var book = new AlertBook("fused", new FusionOptions());
        Raise(book, "m1", "cold_head", 33);   // after the failure, before the repair: late but not false
        Raise(book, "m2", "cold_head", 45);   // days after the repair: false

        var s = Score([Mri("m1"), Mri("m2")],
            [Machine("f1", "m1", "cold_head", 10, 30, 35), Machine("f2", "m2", "cold_head", 10, 30, 35)], book);

        Assert.Equal(0, s.Engines["fused"].Recall);
        Assert.Equal("m2", Assert.Single(s.FalseAlarms).Device);
    }

    [Fact]
    public void Alert_before_onset_or_after_failure_does_not_count_as_foreseeing()
    {
        var book = new AlertBook("fused", new FusionOptions());
        Raise(book, "m1", "cold_head", 20);          // 30 days before the onset
        Raise(book, "m2", "cold_head", 49.5);        // within the day before the onset: allowed
        Raise(book, "m3", "cold_head", 61);          // after the failure, before the repair

        var s = Score([Mri("m1"), Mri("m2"), Mri("m3")],
        [
            Machine("f1", "m1", "cold_head", 50, 60, 62),
            Machine("f2", "m2", "cold_head", 50, 60, 62),
            Machine("f3", "m3", "cold_head", 50, 60, 62),
        ], book);

        Assert.Null(s.Faults.Single(f => f.Id == "f1").FirstAlert["fused"]);
        Assert.Equal(10.5, s.Faults.Single(f => f.Id == "f2").LeadTimeDays["fused"]);
        Assert.Null(s.Faults.Single(f => f.Id == "f3").FirstAlert["fused"]);
        Assert.Equal(Math.Round(1 / 3.0, 4), s.Engines["fused"].Recall);
        Assert.Equal("m1", Assert.Single(s.FalseAlarms).Device);
        Assert.Null(s.Engines["fused"].BandCoverage80);
    }

    [Fact]
    public void Band_coverage_at_50_80_and_90_percent_reads_the_forecast_as_a_distribution()
    {
        var book = new AlertBook("fused", new FusionOptions());
        // Forecasts made at day 20 with P10/P50/P90 at 10/20/40 days left; failures at 20, 30 and 45 days left.
        Raise(book, "m1", "cold_head", 20, Band(20, 30, 40, 60));
        Raise(book, "m2", "cold_head", 20, Band(20, 30, 40, 60));
        Raise(book, "m3", "cold_head", 20, Band(20, 30, 40, 60));

        var s = Score([Mri("m1"), Mri("m2"), Mri("m3")],
        [
            Machine("f1", "m1", "cold_head", 10, 40, 41),   // at P50: inside every band
            Machine("f2", "m2", "cold_head", 10, 50, 51),   // z = ln(30/20)/(ln 2/1.2816) = 0.75 > 0.674: outside 50 %, inside 80 %
            Machine("f3", "m3", "cold_head", 10, 65, 66),   // z = ln(45/20)/0.541 = 1.50: outside 80 %, inside 90 %
        ], book);

        var e = s.Engines["fused"];
        Assert.Equal((Math.Round(1 / 3.0, 4), Math.Round(2 / 3.0, 4), 1.0), (e.BandCoverage50!.Value, e.BandCoverage80!.Value, e.BandCoverage90!.Value));
        Assert.Equal(3, e.WithBand);
        // Three forecasts: a calibrated 80 % band holds 1/3 to 3/3 of them nine runs in ten (binomial 5 % and 95 % quantiles).
        Assert.Equal([Math.Round(1 / 3.0, 4), 1.0], e.BandCoverageCalibratedRange!["80"]);
    }

    [Theory]
    [InlineData(15, 0.8, 0.6, 0.9333)] // 9 and 14 of 15: Bin(15, 0.8) CDF(8) = 0.018, CDF(9) = 0.061; CDF(13) = 0.833, CDF(14) = 0.965
    [InlineData(15, 0.5, 0.2667, 0.7333)]
    [InlineData(45, 0.8, 0.6889, 0.8889)]
    [InlineData(1, 0.9, 0.0, 1.0)]
    public void The_calibrated_range_is_the_binomial_5_and_95_percent_share(int n, double level, double lo, double hi) =>
        Assert.Equal([lo, hi], BacktestScorer.CalibratedRange(n, level));

    [Fact]
    public void A_published_band_carries_the_fits_own_median_and_spread_and_its_evidences_age_into_the_report()
    {
        var book = new AlertBook("fused", new FusionOptions());
        var published = Band(20, 25, 32, 60) with { Parameters = new Dictionary<string, double> { ["fit_p50_days"] = 10, ["fit_log_sd"] = 0.12346, ["evidence_age_days"] = 3.25 } };
        Raise(book, "m1", "cold_head", 20, published);
        Raise(book, "m2", "cold_head", 20, Band(20, 30, 40, 60));

        var s = Score([Mri("m1"), Mri("m2")], [Machine("f1", "m1", "cold_head", 10, 40, 41), Machine("f2", "m2", "cold_head", 10, 40, 41)], book);

        var b = s.Faults.Single(f => f.Id == "f1").Band["fused"]!;
        Assert.Equal((At(30), 0.1235, 3.25), (b.FitP50, b.FitLogSd, b.AgeDays));
        var own = s.Faults.Single(f => f.Id == "f2").Band["fused"]!;
        Assert.Null(own.FitP50);
        Assert.Null(own.FitLogSd);
        Assert.Null(own.AgeDays);
    }

    [Fact]
    public void A_forecast_the_alert_first_carried_after_the_failure_gives_the_fault_no_band()
    {
        var book = new AlertBook("fused", new FusionOptions());
        Raise(book, "m1", "cold_head", 20);                          // opened by evidence without a forecast
        Raise(book, "m1", "cold_head", 45, Band(45, 46, 47, 48));   // the first forecast, after the failure at day 40
        Raise(book, "m2", "cold_head", 20, Band(20, 30, 40, 60));

        var s = Score([Mri("m1"), Mri("m2")], [Machine("f1", "m1", "cold_head", 10, 40, 41), Machine("f2", "m2", "cold_head", 10, 40, 41)], book);

        Assert.Equal(At(45), Assert.Single(book.All, a => a.DeviceId == "m1").FirstForecast is { } f ? At((f.ComputedAtMs - Ms(0)) / (double)DayMs) : null);
        Assert.Null(s.Faults.Single(f => f.Id == "f1").Band["fused"]);
        Assert.Equal(20, s.Faults.Single(f => f.Id == "f1").LeadTimeDays["fused"]);
        var e = s.Engines["fused"];
        Assert.Equal((2, 1, 1.0), (e.Foreseen, e.WithBand, e.BandCoverage80!.Value));
    }

    [Fact]
    public void The_first_forecast_keeps_the_fits_own_median_beside_the_calibrated_one()
    {
        var book = new AlertBook("fused", new FusionOptions());
        var calibrated = Band(20, 30, 40, 60) with { Parameters = new Dictionary<string, double> { ["fit_p50_days"] = 12.5 } };
        Raise(book, "m1", "cold_head", 20, calibrated);
        Raise(book, "m2", "cold_head", 20, Band(20, 30, 40, 60));

        var s = Score([Mri("m1"), Mri("m2")], [Machine("f1", "m1", "cold_head", 10, 40, 41), Machine("f2", "m2", "cold_head", 10, 40, 41)], book);

        var withFit = s.Faults.Single(f => f.Id == "f1").Band["fused"]!;
        Assert.Equal((At(40), At(32.5)), (withFit.P50, withFit.FitP50));
        Assert.Null(s.Faults.Single(f => f.Id == "f2").Band["fused"]!.FitP50);
    }

    [Fact]
    public void Daily_band_coverage_scores_every_forecast_shown_for_the_failed_unit_before_the_failure()
    {
        var book = new AlertBook("fused", new FusionOptions());
        var first = Band(20, 30, 40, 60);
        Raise(book, "m1", "cold_head", 20, first);
        var alert = Assert.Single(book.All);
        LoggedForecast Log(Forecast f) => new("m1", alert.Id, f);
        var daily = new Dictionary<string, IReadOnlyList<LoggedForecast>>
        {
            ["fused"] =
            [
                Log(first),                                  // failure at day 50: outside its 50 %, inside its 80 %
                Log(Band(30, 45, 50, 55)),                   // at its P50: inside
                Log(Band(35, 36, 37, 38)),                   // far too early: outside every band
                Log(Band(35, 36, 37, 38, "cryostat")),       // another unit: not scored
                Log(Band(51, 52, 53, 54)),                   // after the failure: not scored
            ],
        };

        var s = BacktestScorer.Score(new GroundTruth("t", 1, At(0), At(100), [Mri("m1")], [Machine("f1", "m1", "cold_head", 10, 50, 51)], []), [book], Catalog, 100, daily);

        var e = s.Engines["fused"];
        Assert.Equal(3, e.DailyForecasts);
        Assert.Equal((Math.Round(1 / 3.0, 4), Math.Round(2 / 3.0, 4)), (e.DailyBandCoverage50!.Value, e.DailyBandCoverage80!.Value));
        Assert.Equal((0, 1), (e.BandCoverage50, e.BandCoverage80));

        // The fault lists the three scored forecasts in the order shown, each with when it was computed.
        var shown = s.Faults.Single().DailyBands!["fused"];
        Assert.Equal([At(40), At(50), At(37)], shown.Select(b => b.P50));
        Assert.Equal([At(20), At(30), At(35)], shown.Select(b => b.Computed));
    }

    [Fact]
    public void Quantile_interpolates()
    {
        Assert.Equal(2.5, BacktestScorer.Quantile([1, 2, 3, 4], 0.5));
        Assert.Equal(1.3, BacktestScorer.Quantile([1, 2, 3, 4], 0.1), 6);
    }
}
