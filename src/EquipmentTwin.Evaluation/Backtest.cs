using System.Diagnostics;
using EquipmentTwin.Analytics.Anomaly;
using EquipmentTwin.Analytics.Engines;
using EquipmentTwin.Analytics.Fusion;
using EquipmentTwin.Analytics.Knowledge;
using EquipmentTwin.Analytics.Physics;
using EquipmentTwin.Analytics.Pipeline;
using EquipmentTwin.Core.Catalog;
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
    FusionOptions? Fusion = null);

/// <summary>
/// <c>twin evaluate</c>: simulates a fleet offline, feeds it through the same analytics pipeline the service
/// runs, with one alert book per engine alone beside the fused one, and scores all four against the ground
/// truth. Anomaly models come from <see cref="BacktestSetup.ModelsDirectory"/> when it holds some, otherwise
/// they are trained first on a healthy simulation of the same fleet with another seed.
/// </summary>
public static class Backtest
{
    public static readonly string[] ViewNames = ["rules", "physics", "anomaly", AnalyticsPipeline.FusedView];

    public static BacktestReport Run(BacktestSetup setup, Action<string>? log = null)
    {
        var catalog = SignalCatalog.LoadDirectory(setup.CatalogDirectory);
        var fleet = FleetLoader.Load(setup.FleetPath);
        var faults = FaultLibrary.LoadDirectory(setup.FaultsDirectory);

        var training = Stopwatch.StartNew();
        var models = setup.ModelsDirectory is { } dir && Directory.Exists(dir) ? AnomalyModelSet.LoadLatest(dir) : AnomalyModelSet.Empty;
        if (models.Models.Count == 0)
        {
            // As long as the backtest by default, so that seasons and usage patterns seen in the test were seen healthy.
            var trainingDays = setup.TrainingDays ?? setup.Days;
            log?.Invoke($"training anomaly models on {trainingDays:0} healthy days of the fleet (seed {setup.Seed + AnomalyTraining.SeedOffset})");
            models = AnomalyTraining.TrainOnHealthyFleet(fleet, faults, catalog, setup.Seed, trainingDays);
        }

        training.Stop();
        IAnalyticsEngine[] engines =
        [
            RuleEngine.Load(setup.RulesDirectory, catalog),
            new PhysicsEngine(PhysicsConfigLoader.LoadDirectory(setup.PhysicsDirectory, catalog)),
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
        log?.Invoke($"simulating {sim.Devices.Count} devices for {setup.Days:0.#} days from {sim.Start:yyyy-MM-dd} (seed {setup.Seed}) through the pipeline");
        var run = Stopwatch.StartNew();
        var records = SimulationFeed.Into(pipeline, sim.Run());
        pipeline.AdvanceAllTo(sim.EndMs);
        run.Stop();

        var truth = sim.GroundTruth;
        var scores = BacktestScorer.Score(truth, views, catalog, setup.Days);
        return new BacktestReport(fleet.Name, setup.Seed, setup.Days, truth.Start, truth.End, truth.Devices.Count,
            Math.Round(truth.Devices.Count * setup.Days / 30.4375, 2), scores.Engines, scores.Faults, scores.FalseAlarms,
            new BacktestTiming(Math.Round(run.Elapsed.TotalSeconds, 2), records, Math.Round(records / Math.Max(run.Elapsed.TotalSeconds, 1e-9)), Math.Round(training.Elapsed.TotalSeconds, 2)))
        {
            Scenarios = scores.Scenarios,
        };
    }
}
