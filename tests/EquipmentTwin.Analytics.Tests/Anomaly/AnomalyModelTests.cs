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
}
