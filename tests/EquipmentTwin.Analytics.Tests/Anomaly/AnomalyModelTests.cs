using EquipmentTwin.Analytics.Anomaly;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Testing;
using Xunit.Abstractions;

namespace EquipmentTwin.Analytics.Tests.Anomaly;

[Collection(AnomalyFleetCollection.Name)]
public class AnomalyModelTests(AnomalyFleetFixture fleet, ITestOutputHelper output)
{
    [Fact]
    public void Model_records_its_training_range_threshold_and_validation_figures()
    {
        var info = fleet.Model.Info;
        output.WriteLine($"rows {info.Rows} (train {info.TrainingRows}), features {info.FeatureNames.Length} ({info.FeatureNames.Length - info.InactiveFeatures.Length} active), rank {info.Rank}");
        output.WriteLine($"train score p50 {info.TrainingScoreP50:F3}, p99.9 {info.TrainingScoreQuantile:F3}, threshold {info.Threshold:F3}");
        output.WriteLine($"validation: {info.Validation}");

        Assert.Equal("mri", info.Modality);
        Assert.Equal(AnomalyFleetFixture.T0 + 7 * AnomalyFeatures.DayMs, info.TrainedFromMs);
        Assert.Equal(AnomalyFleetFixture.T0 + AnomalyFleetFixture.Days * AnomalyFeatures.DayMs, info.TrainedToMs);
        Assert.Equal(fleet.Rows.Count, info.Rows);
        Assert.True(info.Validation.Rows > 0.15 * info.Rows);
        Assert.True(info.Validation.FalsePositiveRate <= 0.01, $"validation false-positive rate {info.Validation.FalsePositiveRate}");
        Assert.Equal(0, info.Validation.PersistentAlarmWindows);
        Assert.InRange(info.Rank, 5, 10);
    }

    [Fact]
    public void Feature_rows_start_after_the_baseline_and_have_stable_names()
    {
        Assert.All(fleet.Rows, r => Assert.True(r.WindowEndMs - AnomalyFeatures.WindowMs >= AnomalyFleetFixture.T0 + 7 * AnomalyFeatures.DayMs));
        Assert.All(fleet.Rows, r => Assert.Equal(0, r.WindowEndMs % AnomalyFeatures.WindowMs));
        Assert.Contains("coldhead_stage1_k.z", fleet.FeatureNames);
        Assert.Contains("coldhead_stage1_k.sd", fleet.FeatureNames);
        Assert.Contains("coldhead_stage1_k.slope", fleet.FeatureNames);
        Assert.Contains("compressor_hours_h.rate", fleet.FeatureNames);
        Assert.Contains("events.error", fleet.FeatureNames);
        Assert.DoesNotContain("compressor_hours_h.z", fleet.FeatureNames);
        Assert.Equal(6 * 33 * 4, fleet.Rows.Count);
    }

    [Fact]
    public void Scorer_reads_the_same_subspace_as_ml_net()
    {
        foreach (var row in fleet.Rows.Where((_, i) => i % 97 == 0))
        {
            Assert.Equal(fleet.Model.MlNetScore(row.Values), fleet.Model.MlNetScoreFromParameters(row.Values), 3);
        }
    }

    [Fact]
    public void Saved_model_loads_as_the_latest_version_with_identical_scores()
    {
        using var dir = new TempDirectory("anomaly-models");
        var v1 = AnomalyTrainer.Train(Modality.Mri, fleet.Rows, fleet.FeatureNames, new AnomalyTrainingOptions { Version = 1, Rank = 5 });
        v1.Save(dir.Path);
        Assert.Equal(2, AnomalyModelSet.NextVersion(dir.Path, Modality.Mri));
        var v2Path = fleet.Model.Info.Version == 1
            ? AnomalyTrainer.Train(Modality.Mri, fleet.Rows, fleet.FeatureNames, new AnomalyTrainingOptions { Version = 2 }).Save(dir.Path)
            : throw new InvalidOperationException();

        Assert.Equal(Path.Combine(dir.Path, "mri", "anomaly", "v2.zip"), v2Path);
        Assert.True(File.Exists(Path.ChangeExtension(v2Path, ".json")));
        Assert.Throws<IOException>(() => v1.Save(dir.Path));

        var set = AnomalyModelSet.LoadLatest(dir.Path);
        var loaded = Assert.Single(set.Models);
        Assert.Equal(2, loaded.Version);
        Assert.Null(set.For(Modality.Ct));
        Assert.Equal(fleet.Model.Threshold, loaded.Threshold);
        Assert.Equal(fleet.Model.Info.TrainedFromMs, loaded.Info.TrainedFromMs);
        foreach (var row in fleet.Rows)
        {
            Assert.Equal(fleet.Model.Score(row.Values), loaded.Score(row.Values));
        }
    }

    [Fact]
    public void Training_is_deterministic()
    {
        var again = AnomalyTrainer.Train(Modality.Mri, fleet.Rows, fleet.FeatureNames, new AnomalyTrainingOptions());

        Assert.Equal(fleet.Model.Threshold, again.Threshold);
        Assert.Equal(fleet.Model.Info.Eigenvalues, again.Info.Eigenvalues);
        Assert.Equal(fleet.Model.Info.Validation, again.Info.Validation);
        Assert.All(fleet.Rows, r => Assert.Equal(fleet.Model.Score(r.Values), again.Score(r.Values)));
    }

    [Fact]
    public void A_masked_sensor_cannot_inflate_the_score_through_a_component_that_lies_on_an_inactive_feature()
    {
        // Component 1 lies almost entirely on feature 0, which scoring ignores (inactive). A least-squares fit of
        // the observed features with feature 2 masked cannot pin it down; the posterior keeps it at its prior.
        var scorer = new PcaScorer(
            mean: [0f, 0f, 0f],
            eigenvectors: [[0.999f, 0.0447f, 0f], [0f, 0.7071f, 0.7071f]],
            eigenvalues: [1.0, 1.0],
            residualVariances: [0, 0.01, 0.01],
            active: [false, true, true]);
        float[] healthy = [0f, 0.3f, 0.32f];

        var complete = scorer.Score(healthy);
        var inactiveMissing = scorer.Score(healthy, [true, false, false]);
        var sensorMasked = scorer.Score(healthy, [false, false, true]);
        output.WriteLine($"complete {complete:F4}, inactive feature missing {inactiveMissing:F4}, feature 2 masked {sensorMasked:F4}");

        Assert.Equal(complete, inactiveMissing);
        Assert.True(double.IsFinite(sensorMasked));
        Assert.InRange(sensorMasked, 0, complete * 1.5);
    }

    [Fact]
    public void Masking_a_healthy_signal_keeps_its_windows_healthy()
    {
        var model = fleet.Model;
        var features = AnomalyFeatures.For(AnomalyFleetFixture.Mri);
        var worst = 0.0;
        foreach (var row in fleet.Rows.Where((_, i) => i % 13 == 0))
        {
            for (var signal = 0; signal < features.Signals.Count + features.CumulativeSignals.Count; signal++)
            {
                var masked = new bool[features.Signals.Count + features.CumulativeSignals.Count];
                masked[signal] = true;
                var score = model.Score(row with { Missing = features.MissingOf(masked) });
                worst = Math.Max(worst, score / Math.Max(model.Score(row.Values), 1));
            }
        }

        output.WriteLine($"largest masked / complete score over healthy windows: {worst:F3}");
        Assert.InRange(worst, 0, 1.5);
    }

    [Fact]
    public void Collected_rows_record_which_features_a_sensor_fault_masked()
    {
        var collector = new AnomalyFeatureCollector();
        var device = new SyntheticMri(202, AnomalyFleetFixture.Days) { Faults = [new SensorFault("chilled_water_supply_c", SensorFaultKind.Stuck, 15, 30)] };

        AnomalyFleetFixture.Run("stuck", device, collector);

        var names = collector.FeatureNames(Modality.Mri);
        var masked = collector.RowsFor(Modality.Mri).Where(r => r.Missing is not null).ToList();
        Assert.NotEmpty(masked);
        Assert.All(masked, r => Assert.True(r.Missing![Array.IndexOf(names, "chilled_water_supply_c.z")]));
        Assert.All(masked, r => Assert.InRange(AnomalyFleetFixture.Day(r.WindowEndMs), 15, 32));
        Assert.All(masked, r => Assert.False(r.Missing![Array.IndexOf(names, "coldhead_stage1_k.z")]));
    }
}
