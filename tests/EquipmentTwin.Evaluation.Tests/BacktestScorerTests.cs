using EquipmentTwin.Analytics.Engines;
using EquipmentTwin.Analytics.Fusion;
using EquipmentTwin.Core.Catalog;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Simulator.Simulation;
using EquipmentTwin.Testing;

namespace EquipmentTwin.Evaluation.Tests;

public class BacktestScorerTests
{
    private static readonly SignalCatalog Catalog = SignalCatalog.LoadDirectory(RepoPaths.Catalog);
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private const long Day = 86_400_000;

    private static string At(double days) => WireCodec.FormatRfc3339(T0.ToUnixTimeMilliseconds() + (long)(days * Day));

    private static long Ms(double days) => T0.ToUnixTimeMilliseconds() + (long)(days * Day);

    private static void Raise(AlertBook book, string device, string component, double day, Forecast? forecast = null)
    {
        var context = new DeviceContext(device, "s1", Modality.Mri, Catalog[Modality.Mri]);
        var evidence = new Evidence(EngineKind.Physics, "m", component, Ms(day), Ms(day), 0.9, Severity.Error, "test", [], forecast);
        book.Evaluate(context, [evidence], Ms(day));
    }

    private static Forecast Band(double p10, double p50, double p90) =>
        new("cold_head", "he_level_pct", 40, ThresholdDirection.Below, Ms(p10), Ms(p50), Ms(p90), "test", new Dictionary<string, double>(), 0.9, 10, 0);

    [Fact]
    public void Recall_lead_time_false_alarms_and_band_coverage_follow_their_definitions()
    {
        var truth = new GroundTruth("t", 1, At(0), At(100), [new("m1", "s1", "mri", "A", "B"), new("m2", "s1", "mri", "A", "B"), new("m3", "s1", "mri", "A", "B")],
        [
            new("f1", "m1", "cold_head", "mri-cold-head-wear", "machine", At(10), At(40), At(41), ["he_level_pct"]),
            new("f2", "m2", "cold_head", "mri-cold-head-wear", "machine", At(10), At(30), null, ["he_level_pct"]),
            new("f3", "m3", "cryostat", "sensor-mri-he-level-stuck", "sensor", At(5), null, null, ["he_level_pct"]),
        ], []);
        var book = new AlertBook("fused", new FusionOptions());
        Raise(book, "m1", "cryostat", 30, Band(35, 39, 45));   // same group as cold_head: foreseen 10 days ahead, failure inside the band
        Raise(book, "m3", "cryostat", 20);                       // on a sensor fault: a false alarm
        // m2's failure at day 30 goes unseen.

        var (engines, faults, falseAlarms) = BacktestScorer.Score(truth, [book], new Dictionary<string, Modality> { ["m1"] = Modality.Mri, ["m2"] = Modality.Mri, ["m3"] = Modality.Mri }, 100);

        var s = engines["fused"];
        Assert.Equal(0.5, s.Recall);
        Assert.Equal(10, s.LeadTimeDaysMedian);
        Assert.Equal(1, s.BandCoverage80);
        Assert.Equal(1, s.FalseAlarms);
        Assert.Equal(Math.Round(100 / (3 * 100 / 30.4375), 3), s.FalseAlarmsPer100DeviceMonths);
        Assert.Equal("m3", Assert.Single(falseAlarms).Device);
        Assert.Equal(At(30), faults.Single(f => f.Id == "f1").FirstAlert["fused"]);
        Assert.Null(faults.Single(f => f.Id == "f2").FirstAlert["fused"]);
    }

    [Fact]
    public void Alert_before_onset_or_after_failure_does_not_count_as_foreseeing()
    {
        var truth = new GroundTruth("t", 1, At(0), At(100), [new("m1", "s1", "mri", "A", "B")],
            [new("f1", "m1", "cold_head", "x", "machine", At(50), At(60), At(61), [])], []);
        var book = new AlertBook("fused", new FusionOptions());
        Raise(book, "m1", "cold_head", 20);

        var (engines, _, falseAlarms) = BacktestScorer.Score(truth, [book], new Dictionary<string, Modality> { ["m1"] = Modality.Mri }, 100);

        Assert.Equal(0, engines["fused"].Recall);
        Assert.Single(falseAlarms);
        Assert.Null(engines["fused"].BandCoverage80);
    }

    [Fact]
    public void Quantile_interpolates()
    {
        Assert.Equal(2.5, BacktestScorer.Quantile([1, 2, 3, 4], 0.5));
        Assert.Equal(1.3, BacktestScorer.Quantile([1, 2, 3, 4], 0.1), 6);
    }
}
