using EquipmentTwin.Analytics.Anomaly;
using EquipmentTwin.Analytics.Pipeline;
using EquipmentTwin.Core.Catalog;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Simulator.Faults;
using EquipmentTwin.Simulator.Fleets;
using EquipmentTwin.Simulator.Simulation;

namespace EquipmentTwin.Evaluation;

/// <summary>
/// Trains the anomaly models of every modality in a fleet on healthy data: the same fleet simulated with
/// its faults removed, on a seed of its own so that training never sees the backtest's data.
/// </summary>
public static class AnomalyTraining
{
    /// <summary>Seed offset of the training simulation relative to the backtest seed.</summary>
    public const int SeedOffset = 7919;

    public static AnomalyModelSet TrainOnHealthyFleet(FleetDefinition fleet, FaultLibrary faults, SignalCatalog catalog, int seed, double days, int version = 1)
    {
        var healthy = fleet with { Devices = fleet.Devices.Select(d => d with { Faults = [] }).ToArray() };
        var collector = new AnomalyFeatureCollector();
        var pipeline = new AnalyticsPipeline([collector], catalog);
        var sim = new FleetSimulator(healthy, faults, catalog, new SimulationOptions { Seed = seed + SeedOffset, Days = days, Detail = SimulationDetail.Summary });
        SimulationFeed.Into(pipeline, sim.Run());
        pipeline.AdvanceAllTo(sim.EndMs);

        var models = new List<AnomalyModel>();
        foreach (var modality in Enum.GetValues<Modality>())
        {
            var rows = collector.RowsFor(modality);
            if (rows.Count < 50)
            {
                continue; // too little healthy data for this modality in this fleet
            }

            models.Add(AnomalyTrainer.Train(modality, rows, collector.FeatureNames(modality), new AnomalyTrainingOptions { Version = version, Seed = 1 }));
        }

        return new AnomalyModelSet(models);
    }
}
