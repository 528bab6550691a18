using EquipmentTwin.Analytics.Anomaly;
using EquipmentTwin.Analytics.Learning;
using EquipmentTwin.Core.Catalog;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Simulator.Faults;
using EquipmentTwin.Simulator.Fleets;
using EquipmentTwin.Simulator.Simulation;
using EquipmentTwin.Testing;
using Xunit.Abstractions;

namespace EquipmentTwin.Evaluation.Tests;

/// <summary>
/// Engineer feedback as training data. The benign behaviour: a site raises its chilled-water setpoint (supply and return
/// 3 °C warmer from one day on), which no healthy training run contains. The champion cries wolf on it; engineers mark
/// those alarms false on two devices of one run; the candidate retrained with that feedback is scored on a run it never
/// saw (another seed) where two OTHER devices change setpoint on another day.
/// </summary>
public sealed class FeedbackTrainingTests(ITestOutputHelper output)
{
    private const double Days = 30;
    private const int TrainingSeed = 101, CalibrationSeed = 201, FeedbackSeed = 401, HeldOutSeed = 301;

    [Fact]
    public void Marking_injected_false_alarms_then_retraining_lowers_false_alarms_on_held_out_devices_and_time()
    {
        var catalog = SignalCatalog.LoadDirectory(RepoPaths.Catalog);
        var faults = FaultLibrary.LoadDirectory(RepoPaths.Seeds("faults"));
        var fleet = FleetLoader.Load(DriftFleetFixture.FleetPath);
        var training = AnomalyTraining.CollectHealthy(fleet, faults, catalog, TrainingSeed, Days);
        var calibration = AnomalyTraining.CollectHealthy(fleet, faults, catalog, CalibrationSeed, Days);
        var champions = AnomalyTraining.Calibrate(AnomalyTraining.Fit([training], [Modality.Mri]), [calibration]);
        var champion = champions.For(Modality.Mri)!;

        // The run engineers saw: setpoint raised on day 11 on two devices; the champion's alarms there are what they marked.
        var feedback = AnomalyTraining.CollectRun(fleet, faults, catalog, FeedbackSeed, Days, healthy: true, alter: Setpoint(["mr-a1-2", "mr-b2-2"], fromDay: 11));
        var marked = AlarmEpisodes.Find(champion, feedback.ByModality[Modality.Mri]);
        Assert.Contains(marked, a => a.DeviceId == "mr-a1-2");
        Assert.All(marked, a => Assert.Contains(a.DeviceId, new[] { "mr-a1-2", "mr-b2-2" }));
        var labels = marked.Select(a => new TrainingLabel(TrainingLabel.FalseAlarm, a.DeviceId, a.RaisedMs, a.EndMs)).ToList();

        var candidate = AnomalyTraining.TrainWithFeedback([training], [calibration], [feedback], labels, champions, version: 2).For(Modality.Mri)!;
        var without = AnomalyTraining.TrainWithFeedback([training], [calibration], [feedback], [], champions, version: 2).For(Modality.Mri)!;

        // Held out: another seed (other time), the setpoint raised on day 14 on two devices nobody labelled.
        var heldOut = AnomalyTraining.CollectRun(fleet, faults, catalog, HeldOutSeed, Days, healthy: true, alter: Setpoint(["mr-a1-3", "mr-b2-3"], fromDay: 14)).ByModality[Modality.Mri];
        var championAlarms = AlarmEpisodes.Find(champion, heldOut);
        var candidateAlarms = AlarmEpisodes.Find(candidate, heldOut);
        var withoutAlarms = AlarmEpisodes.Find(without, heldOut);
        output.WriteLine($"feedback run: {marked.Count} champion alarms marked false ({string.Join(", ", marked.Select(a => a.DeviceId))}); candidate threshold {candidate.Threshold:0.00} vs champion {champion.Threshold:0.00}");
        output.WriteLine($"held out: champion {championAlarms.Count} alarms ({string.Join(", ", championAlarms.Select(a => a.DeviceId))}), candidate {candidateAlarms.Count}, retrained on the same run without the labels {withoutAlarms.Count}");

        // Control: the champion does fire on the benign behaviour of the held-out devices.
        Assert.Contains(championAlarms, a => a.DeviceId is "mr-a1-3" or "mr-b2-3");
        Assert.True(candidateAlarms.Count < championAlarms.Count, $"candidate {candidateAlarms.Count} alarms, champion {championAlarms.Count}");
        Assert.DoesNotContain(candidateAlarms, a => a.DeviceId is "mr-a1-3" or "mr-b2-3");

        // The labels are what taught it: the same run without them leaves the flagged (unreviewed) spans out.
        Assert.True(withoutAlarms.Count > candidateAlarms.Count, $"without labels {withoutAlarms.Count} alarms, with {candidateAlarms.Count}");
        var figures = (Champion: LabelledValidation.Score(champion, heldOut, []), Candidate: LabelledValidation.Score(candidate, heldOut, []));
        Assert.True(figures.Candidate.FalseAlarmsPer100DeviceMonths < figures.Champion.FalseAlarmsPer100DeviceMonths);
        Assert.Equal([TrainingSeed, FeedbackSeed], candidate.Info.TrainingSeeds);
    }

    /// <summary>Chilled water 3 °C warmer on <paramref name="devices"/> from <paramref name="fromDay"/> of the run: a building change, not a fault.</summary>
    private static Func<SimulationStep, SimulationStep> Setpoint(string[] devices, double fromDay)
    {
        long? start = null;
        return step =>
        {
            start ??= step.FromMs;
            var from = start.Value + (long)(fromDay * 86_400_000);
            if (!devices.Contains(step.Device.Id) || step.ToMs <= from)
            {
                return step;
            }

            return step with
            {
                Records = step.Records.Select(r => r.Type == RecordType.Param && r.TimestampMs >= from && r.Name is "chilled_water_supply_c" or "chilled_water_return_c" ? r with { Value = r.Value + 3 } : r).ToArray(),
            };
        };
    }
}
