using EquipmentTwin.Analytics.Anomaly;
using EquipmentTwin.Core.Catalog;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Simulator.Faults;
using EquipmentTwin.Simulator.Fleets;
using EquipmentTwin.Testing;

namespace EquipmentTwin.Evaluation.Tests;

/// <summary>Six MRIs (one with the compressor drift no rule names): healthy rows of a training, a calibration and a validation seed, and the model fitted and calibrated on the first two.</summary>
public sealed class DriftFleetFixture
{
    public const int TrainingSeed = 101;
    public const int CalibrationSeed = 201;
    public const int ValidationSeed = 301;
    public const double Days = 75;

    public DriftFleetFixture()
    {
        Catalog = SignalCatalog.LoadDirectory(RepoPaths.Catalog);
        Faults = FaultLibrary.LoadDirectory(RepoPaths.Seeds("faults"));
        Fleet = FleetLoader.Load(FleetPath);
        var training = AnomalyTraining.CollectHealthy(Fleet, Faults, Catalog, TrainingSeed, Days);
        var calibration = AnomalyTraining.CollectHealthy(Fleet, Faults, Catalog, CalibrationSeed, Days);
        Validation = AnomalyTraining.CollectHealthy(Fleet, Faults, Catalog, ValidationSeed, Days);
        Uncalibrated = AnomalyTraining.Fit([training], [Modality.Mri]);
        Models = AnomalyTraining.Calibrate(Uncalibrated, [calibration]);
    }

    public static string FleetPath => Path.Combine(RepoPaths.Root, "tests", "EquipmentTwin.Evaluation.Tests", "Fixtures", "mri-drift.json");

    public SignalCatalog Catalog { get; }
    public FaultLibrary Faults { get; }
    public FleetDefinition Fleet { get; }
    public HealthyRows Validation { get; }
    public AnomalyModelSet Uncalibrated { get; }
    public AnomalyModelSet Models { get; }
}

public class SeparateDataTests(DriftFleetFixture fleet) : IClassFixture<DriftFleetFixture>
{
    [Fact]
    public void A_seed_serves_one_purpose_only()
    {
        Assert.Throws<ArgumentException>(() => new SeedSplit([1, 2], [3], [2], [9]));
        Assert.Throws<ArgumentException>(() => SeedSplit.Default.EnsureUnseen(SeedSplit.Default.Calibration[0]));
        SeedSplit.Default.EnsureUnseen(SeedSplit.Default.Reporting[0]);
        Assert.Equal("reporting", SeedSplit.Default.RoleOf(1061));
        Assert.Equal("reporting", SeedSplit.Default.RoleOf(1069));
        Assert.Equal("validation", SeedSplit.Default.RoleOf(1051));
        Assert.Equal("validation", SeedSplit.Default.RoleOf(1059));
        Assert.Equal("validation", SeedSplit.Default.RoleOf(1041));
        Assert.Equal("validation", SeedSplit.Default.RoleOf(1049));
        Assert.Equal("validation", SeedSplit.Default.RoleOf(1031));
        Assert.Equal("validation", SeedSplit.Default.RoleOf(1039));
        Assert.Equal("validation", SeedSplit.Default.RoleOf(1021));
        Assert.Equal("validation", SeedSplit.Default.RoleOf(1029));
        Assert.Equal("validation", SeedSplit.Default.RoleOf(1011));
        Assert.Equal("validation", SeedSplit.Default.RoleOf(1019));
        Assert.Equal("validation", SeedSplit.Default.RoleOf(1001));
        Assert.Equal("validation", SeedSplit.Default.RoleOf(1009));
        Assert.Equal("validation", SeedSplit.Default.RoleOf(991));
        Assert.Equal("validation", SeedSplit.Default.RoleOf(999));
        Assert.Null(SeedSplit.Default.RoleOf(1010));
        Assert.Null(SeedSplit.Default.RoleOf(1020));
        Assert.Null(SeedSplit.Default.RoleOf(1030));
        Assert.Null(SeedSplit.Default.RoleOf(1040));
        Assert.Null(SeedSplit.Default.RoleOf(1050));
        Assert.Null(SeedSplit.Default.RoleOf(1060));
        Assert.Equal("validation", SeedSplit.Default.RoleOf(981));
        Assert.Equal("validation", SeedSplit.Default.RoleOf(989));
        Assert.Equal("validation", SeedSplit.Default.RoleOf(971));
        Assert.Equal("validation", SeedSplit.Default.RoleOf(961));
        Assert.Equal("calibration", SeedSplit.Default.RoleOf(220));
        Assert.Equal("validation", SeedSplit.Default.RoleOf(941));
        Assert.Equal("validation", SeedSplit.Default.RoleOf(951));
        Assert.Equal("validation", SeedSplit.Default.RoleOf(931));
        Assert.Equal("validation", SeedSplit.Default.RoleOf(921));
        Assert.Equal("validation", SeedSplit.Default.RoleOf(911));
        Assert.Equal("validation", SeedSplit.Default.RoleOf(901));
    }

    [Fact]
    public void Model_fitted_on_one_seed_and_calibrated_on_another_raises_no_alarm_on_healthy_devices_of_a_third()
    {
        var model = fleet.Models.For(Modality.Mri)!;
        var calibration = Assert.IsType<AnomalyThresholdCalibration>(model.Info.Calibration);
        Assert.Equal([DriftFleetFixture.CalibrationSeed], calibration.Seeds);
        Assert.Equal([DriftFleetFixture.TrainingSeed], model.Info.TrainingSeeds);
        Assert.Equal(0, calibration.AlarmsAtThreshold);
        Assert.Equal(0, AnomalyTraining.HealthyAlarmsPer100DeviceMonths(model, fleet.Validation.ByModality[Modality.Mri]));
    }

    [Fact]
    public void Calibrated_anomaly_engine_alone_foresees_the_hidden_drift_naming_the_compressor_without_false_alarms()
    {
        var report = Backtest.Run(new BacktestSetup(DriftFleetFixture.FleetPath, DriftFleetFixture.Days, DriftFleetFixture.ValidationSeed,
            RepoPaths.Catalog, RepoPaths.Seeds("faults"), Path.Combine(RepoPaths.Root, "config", "rules"), Path.Combine(RepoPaths.Root, "config", "physics"),
            AnomalyModels: fleet.Models));

        var drift = Assert.Single(report.Faults, f => f.Scenario == "mri-compressor-hidden-drift");
        Assert.NotNull(drift.Failure);
        var anomaly = report.Engines["anomaly"];
        Assert.True(drift.LeadTimeDays["anomaly"] >= 3, $"anomaly lead {drift.LeadTimeDays["anomaly"]}, false alarms: {string.Join("; ", report.FalseAlarms.Where(f => f.View == "anomaly").Select(f => f.Component + " " + f.Summary))}");
        Assert.Equal(0, anomaly.FalseAlarms);
    }

    [Fact]
    public void Split_conformal_band_spread_covers_eighty_percent_of_calibration_errors()
    {
        // Ten forecasts made at day 0 with P50 = 10 days and no fit uncertainty of their own (a band made only by
        // the spread 0.5 in use); the failures came e^{±k·0.1} times P50 for k = 1..10.
        var t0 = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        string At(double days) => WireCodec.FormatRfc3339(t0.ToUnixTimeMilliseconds() + (long)(days * 86_400_000));
        var z90 = 1.2815515655446004;
        var faults = Enumerable.Range(1, 10).Select(k =>
        {
            var band = new BandDto(At(10 * Math.Exp(-z90 * 0.5)), At(10), At(10 * Math.Exp(z90 * 0.5)), "m", At(0));
            return new FaultScore($"f{k}", "d", "c", "s", "machine", At(-5), At(10 * Math.Exp((k % 2 == 0 ? 1 : -1) * 0.1 * k)), null,
                new Dictionary<string, string?>(), new Dictionary<string, double?>(), new Dictionary<string, bool?>(), new Dictionary<string, BandDto?> { ["physics"] = band });
        }).ToList();
        var report = new BacktestReport("f", 201, 100, At(0), At(100), 1, 3, new Dictionary<string, EngineScore>(), faults, [], new BacktestTiming(0, 0, 0, 0));

        var result = BandCalibration.Calibrate([report], spreadUsed: 0.5);

        // Needed spreads are 0.1·k/z90; the ⌈11·0.8⌉ = 9th smallest is 0.9/z90.
        Assert.Equal(Math.Round(0.9 / z90, 3), result.Spread);
        Assert.Equal(10, result.Forecasts);
        Assert.Equal(0.9, result.Coverage);
        Assert.Equal(0.6, result.CoverageBefore);   // |0.1·k| ≤ 1.2816·0.5 for k ≤ 6
    }
}
