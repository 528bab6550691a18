using EquipmentTwin.Analytics.Anomaly;
using EquipmentTwin.Analytics.Learning;
using EquipmentTwin.Analytics.Pipeline;
using EquipmentTwin.Core.Catalog;
using EquipmentTwin.Core.Progress;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Simulator.Faults;
using EquipmentTwin.Simulator.Fleets;
using EquipmentTwin.Simulator.Simulation;

namespace EquipmentTwin.Evaluation;

/// <summary>Healthy feature rows of one simulation, per modality, grouped by device and in time order.</summary>
public sealed record HealthyRows(int Seed, double Days, IReadOnlyDictionary<Modality, IReadOnlyList<AnomalyFeatureRow>> ByModality, IReadOnlyDictionary<Modality, string[]> FeatureNames);

/// <summary>
/// Trains the anomaly models of every modality in a fleet on healthy data: the same fleet simulated with
/// its faults removed. With a <see cref="SeedSplit"/>, models are fitted on the training seeds' simulations
/// and their thresholds set on the calibration seeds' (<see cref="AnomalyThresholdCalibrator"/>), so that
/// neither ever sees the data a backtest scores.
/// </summary>
public static class AnomalyTraining
{
    /// <summary>Seed offset of the training simulation relative to the backtest seed (without a split).</summary>
    public const int SeedOffset = 7919;

    public static AnomalyModelSet TrainOnHealthyFleet(FleetDefinition fleet, FaultLibrary faults, SignalCatalog catalog, int seed, double days, int version = 1, IJobProgress? progress = null)
    {
        var rows = CollectHealthy(fleet, faults, catalog, seed + SeedOffset, days, progress);
        return Fit([rows], rows.ByModality.Keys, version);
    }

    /// <summary>Fits on the training seeds' healthy simulations, calibrates thresholds on the calibration seeds'.</summary>
    public static AnomalyModelSet TrainCalibrated(FleetDefinition fleet, FaultLibrary faults, SignalCatalog catalog, IReadOnlyList<int> trainingSeeds, IReadOnlyList<int> calibrationSeeds, double days, int version = 1, Action<string>? log = null, IJobProgress? progress = null)
    {
        var training = trainingSeeds.Select(s => Collect($"collecting healthy rows, training seed {s}, {days:0} days", s)).ToList();
        var calibration = calibrationSeeds.Select(s => Collect($"collecting healthy rows, calibration seed {s}, {days:0} days", s)).ToList();
        progress?.Step("fitting and calibrating the anomaly models");
        return Calibrate(Fit(training, training[0].ByModality.Keys, version), calibration);

        HealthyRows Collect(string what, int seed)
        {
            if (progress is null)
            {
                log?.Invoke(what);
            }

            return CollectHealthy(fleet, faults, catalog, seed, days, progress, what);
        }
    }

    /// <summary>Runs the fleet, faults removed, through the feature collector.</summary>
    public static HealthyRows CollectHealthy(FleetDefinition fleet, FaultLibrary faults, SignalCatalog catalog, int seed, double days, IJobProgress? progress = null, string? description = null) =>
        CollectRun(fleet, faults, catalog, seed, days, healthy: true, progress: progress, description: description);

    /// <summary>
    /// Runs the fleet through the feature collector: faults removed (<paramref name="healthy"/>) or as defined (a run whose
    /// rows only labels may sort); <paramref name="alter"/> may change each simulated step before the engines see it.
    /// </summary>
    public static HealthyRows CollectRun(FleetDefinition fleet, FaultLibrary faults, SignalCatalog catalog, int seed, double days, bool healthy,
        Func<SimulationStep, SimulationStep>? alter = null, IJobProgress? progress = null, string? description = null)
    {
        var run = healthy ? fleet with { Devices = fleet.Devices.Select(d => d with { Faults = [] }).ToArray() } : fleet;
        var collector = new AnomalyFeatureCollector();
        var pipeline = new AnalyticsPipeline([collector], catalog);
        var sim = new FleetSimulator(run, faults, catalog, new SimulationOptions { Seed = seed, Days = days, Detail = SimulationDetail.Summary });
        var steps = sim.RunTracked(progress, description ?? $"collecting {(healthy ? "healthy " : "")}rows, seed {seed}, {days:0} days");
        SimulationFeed.Into(pipeline, alter is null ? steps : steps.Select(alter));
        pipeline.AdvanceAllTo(sim.EndMs);
        var byModality = new Dictionary<Modality, IReadOnlyList<AnomalyFeatureRow>>();
        var names = new Dictionary<Modality, string[]>();
        foreach (var modality in Enum.GetValues<Modality>())
        {
            var rows = collector.RowsFor(modality);
            if (rows.Count > 0)
            {
                byModality[modality] = rows;
                names[modality] = collector.FeatureNames(modality);
            }
        }

        return new HealthyRows(seed, days, byModality, names);
    }

    /// <summary>
    /// Fits on the training runs and calibrates on the calibration runs as <see cref="TrainCalibrated"/> does, and learns
    /// from feedback: the rows of each feedback run (a run of the fleet with its faults, as the service recorded it) are
    /// sorted by <paramref name="labels"/> (<see cref="LabelledRows"/>): spans marked false alarms are known healthy (first
    /// half fitted, second half calibrated on), the weeks before a confirmed fault are left out, and so is what the
    /// <paramref name="champions"/> flagged there without a label (unreviewed); the other rows are fitted on.
    /// </summary>
    public static AnomalyModelSet TrainWithFeedback(IReadOnlyList<HealthyRows> training, IReadOnlyList<HealthyRows> calibration, IReadOnlyList<HealthyRows> feedback,
        IReadOnlyList<TrainingLabel> labels, AnomalyModelSet champions, int version = 1)
    {
        var fit = training.ToList();
        var calibrate = calibration.ToList();
        foreach (var run in feedback)
        {
            var fitRows = new Dictionary<Modality, IReadOnlyList<AnomalyFeatureRow>>();
            var calibrationRows = new Dictionary<Modality, IReadOnlyList<AnomalyFeatureRow>>();
            foreach (var (modality, rows) in run.ByModality)
            {
                var flagged = champions.For(modality) is { } champion ? AlarmEpisodes.Find(champion, rows) : [];
                var split = LabelledRows.Split(rows, labels, flagged);
                fitRows[modality] = split.Fit;
                calibrationRows[modality] = split.Calibration;
            }

            fit.Add(run with { ByModality = fitRows });
            if (calibrationRows.Any(kv => kv.Value.Count > 0))
            {
                // Only a run that gave calibration rows (labelled spans) is named among the calibration seeds.
                calibrate.Add(run with { ByModality = calibrationRows.Where(kv => kv.Value.Count > 0).ToDictionary() });
            }
        }

        var modalities = fit.SelectMany(r => r.ByModality.Keys).Distinct().ToList();
        return Calibrate(Fit(fit, modalities, version), calibrate);
    }

    /// <summary>One model per modality from the rows of every run given (each run's devices kept apart).</summary>
    public static AnomalyModelSet Fit(IReadOnlyList<HealthyRows> runs, IEnumerable<Modality> modalities, int version = 1)
    {
        var models = new List<AnomalyModel>();
        foreach (var modality in modalities)
        {
            var rows = runs.Where(r => r.ByModality.ContainsKey(modality)).SelectMany(r => r.ByModality[modality].Select(x => x with { DeviceId = $"{r.Seed}/{x.DeviceId}" })).ToList();
            if (rows.Count < 50)
            {
                continue; // too little healthy data for this modality in this fleet
            }

            var model = AnomalyTrainer.Train(modality, rows, runs.First(r => r.FeatureNames.ContainsKey(modality)).FeatureNames[modality], new AnomalyTrainingOptions { Version = version, Seed = 1 });
            models.Add(model.WithInfo(model.Info with { TrainingSeeds = runs.Select(r => r.Seed).ToArray() }));
        }

        return new AnomalyModelSet(models);
    }

    /// <summary>Sets every model's threshold on the calibration runs.</summary>
    public static AnomalyModelSet Calibrate(AnomalyModelSet models, IReadOnlyList<HealthyRows> calibration) =>
        new(models.Models.Select(m => AnomalyThresholdCalibrator.Calibrate(
            m,
            calibration.Where(c => c.ByModality.ContainsKey(m.Modality)).Select(c => c.ByModality[m.Modality]).ToList(),
            calibration.Select(c => c.Seed).ToArray())).ToList());

    /// <summary>Alarms per 100 device-months the engine's rule would raise on healthy rows (the same rule the calibration holds to).</summary>
    public static double HealthyAlarmsPer100DeviceMonths(AnomalyModel model, IReadOnlyList<AnomalyFeatureRow> rows, double minAlarmDays = 7)
    {
        var devices = rows.GroupBy(r => r.DeviceId).Select(g => g.OrderBy(r => r.WindowEndMs).Select(r => model.Score(r)).ToArray()).ToList();
        var months = rows.Count * AnomalyFeatures.WindowMs / 86_400_000.0 / 30.4375;
        var alarms = AnomalyThresholdCalibrator.Alarms(devices, model.Threshold, (int)Math.Ceiling(minAlarmDays * 86_400_000.0 / AnomalyFeatures.WindowMs));
        return months <= 0 ? 0 : Math.Round(alarms * 100 / months, 3);
    }
}
