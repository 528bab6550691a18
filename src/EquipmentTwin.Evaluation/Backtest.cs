using System.Diagnostics;
using EquipmentTwin.Analytics.Anomaly;
using EquipmentTwin.Analytics.Engines;
using EquipmentTwin.Analytics.Fusion;
using EquipmentTwin.Analytics.Knowledge;
using EquipmentTwin.Analytics.Physics;
using EquipmentTwin.Analytics.Pipeline;
using EquipmentTwin.Core.Catalog;
using EquipmentTwin.Core.Progress;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Simulator.Faults;
using EquipmentTwin.Simulator.Fleets;
using EquipmentTwin.Simulator.Simulation;

namespace EquipmentTwin.Evaluation;

/// <summary>Where a backtest reads its inputs.</summary>
public sealed record BacktestSetup(
    string FleetPath,
    double Days,
    int Seed,
    string CatalogDirectory,
    string FaultsDirectory,
    string RulesDirectory,
    string PhysicsDirectory,
    string? ModelsDirectory = null,
    double? TrainingDays = null,
    FusionOptions? Fusion = null,
    IReadOnlyList<int>? TrainingSeeds = null,
    IReadOnlyList<int>? CalibrationSeeds = null,
    double? PhysicsModelSpread = null,
    AnomalyModelSet? AnomalyModels = null,
    IReadOnlyList<IAnalyticsEngine>? Engines = null);

/// <summary>
/// <c>twin evaluate</c>: simulates a fleet offline, feeds it through the same analytics pipeline the service
/// runs, with one alert book per engine alone beside the fused one, and scores all four against the ground
/// truth. Anomaly models come from <see cref="BacktestSetup.ModelsDirectory"/> when it holds some, otherwise
/// they are trained first on a healthy simulation of the same fleet with another seed.
/// </summary>
public static class Backtest
{
    public static readonly string[] ViewNames = ["rules", "physics", "anomaly", AnalyticsPipeline.FusedView];

    private static PhysicsConfig LoadPhysics(BacktestSetup setup, SignalCatalog catalog)
    {
        var config = PhysicsConfigLoader.LoadDirectory(setup.PhysicsDirectory, catalog);
        return setup.PhysicsModelSpread is not { } spread ? config
            : new PhysicsConfig(config.Modalities.ToDictionary(m => m, m => (IReadOnlyList<PhysicsModel>)config.For(m).Select(x => x with { ModelSpread = spread }).ToList()));
    }

    public static BacktestReport Run(BacktestSetup setup, Action<string>? log = null, IJobProgress? progress = null)
    {
        log ??= progress?.AsLog();
        var catalog = SignalCatalog.LoadDirectory(setup.CatalogDirectory);
        var fleet = FleetLoader.Load(setup.FleetPath);
        var faults = FaultLibrary.LoadDirectory(setup.FaultsDirectory);

        var training = Stopwatch.StartNew();
        var models = setup.Engines is not null ? AnomalyModelSet.Empty : setup.AnomalyModels ?? (setup.ModelsDirectory is { } dir && Directory.Exists(dir) ? AnomalyModelSet.LoadLatest(dir) : AnomalyModelSet.Empty);
        if (models.Models.Count == 0 && setup.Engines is null)
        {
            // As long as the backtest by default, so that seasons and usage patterns seen in the test were seen healthy.
            var trainingDays = setup.TrainingDays ?? setup.Days;
            if (setup.TrainingSeeds is { Count: > 0 } trainSeeds && setup.CalibrationSeeds is { Count: > 0 } calibrationSeeds)
            {
                if (trainSeeds.Contains(setup.Seed) || calibrationSeeds.Contains(setup.Seed))
                {
                    throw new ArgumentException($"Seed {setup.Seed} is a training or calibration seed: the backtest would score models on data they were fitted on.");
                }

                models = AnomalyTraining.TrainCalibrated(fleet, faults, catalog, trainSeeds, calibrationSeeds, trainingDays, log: log, progress: progress);
            }
            else
            {
                log?.Invoke($"training anomaly models on {trainingDays:0} healthy days of the fleet (seed {setup.Seed + AnomalyTraining.SeedOffset})");
                models = AnomalyTraining.TrainOnHealthyFleet(fleet, faults, catalog, setup.Seed, trainingDays, progress: progress);
            }
        }

        training.Stop();
        IAnalyticsEngine[] engines = setup.Engines?.ToArray() ??
        [
            RuleEngine.Load(setup.RulesDirectory, catalog),
            new PhysicsEngine(LoadPhysics(setup, catalog)),
            new AnomalyEngine(models),
        ];
        var pipeline = new AnalyticsPipeline(engines, catalog, setup.Fusion);
        var views = new List<AlertBook>
        {
            pipeline.AddView("rules", e => e == EngineKind.Rules),
            pipeline.AddView("physics", e => e == EngineKind.Physics),
            pipeline.AddView("anomaly", e => e == EngineKind.Anomaly, pipeline.Alerts.Options with { AnomalyMayOpenAlone = true }),
            pipeline.Alerts,
        };

        var sim = new FleetSimulator(fleet, faults, catalog, new SimulationOptions { Seed = setup.Seed, Days = setup.Days, Detail = SimulationDetail.Summary });
        var simulating = $"simulating {sim.Devices.Count} devices for {setup.Days:0.#} days from {sim.Start:yyyy-MM-dd} (seed {setup.Seed}) through the pipeline";
        if (progress is null)
        {
            log?.Invoke(simulating);
        }

        var run = Stopwatch.StartNew();
        var daily = new DailyForecasts(views);
        var records = SimulationFeed.Into(pipeline, daily.Watch(sim.RunTracked(progress, simulating)));
        pipeline.AdvanceAllTo(sim.EndMs);
        daily.Sample();
        run.Stop();

        var truth = sim.GroundTruth;
        var scores = BacktestScorer.Score(truth, views, catalog, setup.Days, daily.ByView);
        return new BacktestReport(fleet.Name, setup.Seed, setup.Days, truth.Start, truth.End, truth.Devices.Count,
            Math.Round(truth.Devices.Count * setup.Days / 30.4375, 2), scores.Engines, scores.Faults, scores.FalseAlarms,
            new BacktestTiming(Math.Round(run.Elapsed.TotalSeconds, 2), records, Math.Round(records / Math.Max(run.Elapsed.TotalSeconds, 1e-9)), Math.Round(training.Elapsed.TotalSeconds, 2)))
        {
            Scenarios = scores.Scenarios,
        };
    }
}
