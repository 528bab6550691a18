using EquipmentTwin.Analytics.Anomaly;
using EquipmentTwin.Analytics.Learning;
using EquipmentTwin.Core.Catalog;
using EquipmentTwin.Core.Progress;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Evaluation;
using EquipmentTwin.Service.Models;
using EquipmentTwin.Simulator.Faults;
using EquipmentTwin.Simulator.Fleets;
using EquipmentTwin.Storage.Labels;
using EquipmentTwin.Storage.Models;

namespace EquipmentTwin.Cli.Commands;

/// <summary>
/// <c>twin train --feedback-seed</c>: candidates fitted on healthy seeds and on the run engineers gave feedback on, sorted
/// by the labels in the store (<see cref="LabelledRows"/>). The run's repairs are confirmed faults, as the service makes
/// them from maintenance records; what the registry's champions flagged there and nobody labelled is left out.
/// </summary>
public static class FeedbackTraining
{
    /// <summary>The candidates, and what feedback they learned from (for the registry's source).</summary>
    public static (AnomalyModelSet Models, string Feedback) Train(TrainSettings s, FleetDefinition fleet, FaultLibrary faults, SignalCatalog catalog, int feedbackSeed, int version, IJobProgress progress)
    {
        var db = Path.Combine(s.DataDir!, "twin.db");
        var labels = new List<TrainingLabel>();
        var champions = new List<AnomalyModel>();
        if (File.Exists(db))
        {
            using var store = new SqliteLabelStore(db);
            labels.AddRange(store.ListAsync(null, default).GetAwaiter().GetResult().Select(l => new TrainingLabel(l.Kind, l.DeviceId, l.AtMs, l.UntilMs)));
            using var registry = new SqliteModelRegistry(db);
            foreach (var modality in Enum.GetValues<Modality>())
            {
                if (registry.ChampionAsync(ModelKinds.Anomaly(modality), default).GetAwaiter().GetResult() is { Artifact: { } zip } && File.Exists(zip))
                {
                    champions.Add(AnomalyModel.Load(zip));
                }
            }
        }

        var training = SeedSplit.ParseSeeds(s.Seeds!).Select(seed => AnomalyTraining.CollectHealthy(fleet, faults, catalog, seed, s.Days, progress, $"collecting healthy rows, training seed {seed}, {s.Days:0} days")).ToList();
        var calibration = SeedSplit.ParseSeeds(s.CalibrationSeeds!).Select(seed => AnomalyTraining.CollectHealthy(fleet, faults, catalog, seed, s.Days, progress, $"collecting healthy rows, calibration seed {seed}, {s.Days:0} days")).ToList();
        var repairs = new List<TrainingLabel>();
        var feedback = AnomalyTraining.CollectRun(fleet, faults, catalog, feedbackSeed, s.Days, healthy: false, alter: step =>
        {
            foreach (var m in step.Maintenance)
            {
                if (Label.FromMaintenance(step.Device.Id, m, DateTimeOffset.UnixEpoch, "simulation").Kind is var kind && kind != Label.Maintenance)
                {
                    repairs.Add(new TrainingLabel(kind, step.Device.Id, m.TimestampMs));
                }
            }

            return step;
        }, progress: progress, description: $"collecting the labelled run, seed {feedbackSeed}, {s.Days:0} days");
        var all = labels.Concat(repairs).ToList();
        var summary = $"{labels.Count(l => l.Kind == TrainingLabel.FalseAlarm)} false-alarm label(s), {all.Count(l => l.Kind == TrainingLabel.ConfirmedFault)} confirmed fault(s), unlabelled alarms of {(champions.Count == 0 ? "no champion" : string.Join(", ", champions.OrderBy(c => c.Modality).Select(c => $"{c.Modality.ToWire()} v{c.Version}")))} left out";
        Console.WriteLine($"fitting on the feedback of seed {feedbackSeed}: {summary}");
        progress.Step("fitting and calibrating the anomaly models on the feedback");
        return (AnomalyTraining.TrainWithFeedback(training, calibration, [feedback], all, new AnomalyModelSet(champions), version), summary);
    }
}
