using EquipmentTwin.Analytics.Anomaly;
using EquipmentTwin.Core.WireFormat;
using Xunit.Abstractions;

namespace EquipmentTwin.Analytics.Tests.Anomaly;

/// <summary>Usage that changes after a device's baseline was learnt: feature set 1 (plain levels) against set 2 (usage-adjusted).</summary>
[Collection(AnomalyFleetCollection.Name)]
public class UsageShiftTests(AnomalyFleetFixture fleet, ITestOutputHelper output)
{
    /// <summary>The fixture's six healthy devices in feature set 1, and the model trained on them.</summary>
    private static AnomalyModel PlainLevelModel()
    {
        var collector = new AnomalyFeatureCollector(featureSet: 1);
        for (var seed = 1; seed <= 6; seed++)
        {
            AnomalyFleetFixture.Run($"train{seed:00}", new SyntheticMri(seed, AnomalyFleetFixture.Days), collector);
        }

        return AnomalyTrainer.Train(Modality.Mri, collector.RowsFor(Modality.Mri), collector.FeatureNames(Modality.Mri), new AnomalyTrainingOptions { FeatureSet = 1 });
    }

    [Theory]
    [InlineData(211)]
    [InlineData(215)]
    [InlineData(217)]
    public void A_device_busier_than_in_its_quiet_baseline_weeks_is_an_anomaly_to_plain_levels_but_not_to_usage_adjusted_ones(int seed)
    {
        const double quietUntilDay = 10;
        var plain = PlainLevelModel();
        Assert.Equal(1, plain.Info.FeatureSet);
        Assert.Equal(2, fleet.Model.Info.FeatureSet);
        var device = () => new SyntheticMri(seed, AnomalyFleetFixture.Days) { QuietUntilDay = quietUntilDay, QuietShare = 0.35 };

        var before = AnomalyFleetFixture.Run("ramp-up", device(), new AnomalyEngine(new AnomalyModelSet([plain])));
        var after = AnomalyFleetFixture.Run("ramp-up", device(), new AnomalyEngine(new AnomalyModelSet([fleet.Model])));

        Assert.NotEmpty(before.Evidence);
        var (hourEnd, first) = before.Evidence[0];
        output.WriteLine($"plain levels: day {AnomalyFleetFixture.Day(hourEnd):F2} {first.Component}: {first.Summary}");
        Assert.True(AnomalyFleetFixture.Day(hourEnd) >= quietUntilDay);
        Assert.Empty(after.Evidence);
        Assert.Empty(after.Issues);
    }

    [Fact]
    public void Night_scanning_that_starts_after_the_baseline_raises_no_evidence()
    {
        var device = new SyntheticMri(214, AnomalyFleetFixture.Days) { NightScanningFromDay = 14 };

        var run = AnomalyFleetFixture.Run("night", device, new AnomalyEngine(new AnomalyModelSet([fleet.Model])));

        Assert.Empty(run.Evidence);
        Assert.Empty(run.Issues);
    }

    [Fact]
    public void A_model_file_without_a_feature_set_is_read_as_set_1_and_one_with_an_unknown_set_is_refused()
    {
        var plain = PlainLevelModel();
        var dir = Path.Combine(Path.GetTempPath(), "anomaly-featureset-" + Guid.NewGuid().ToString("N"));
        try
        {
            var zip = plain.Save(dir);
            var json = Path.ChangeExtension(zip, ".json");
            var text = File.ReadAllText(json);
            Assert.Contains("\"featureSet\": 1", text, StringComparison.Ordinal);

            // Files made before feature sets existed have no such field: they are set 1 and score as before.
            File.WriteAllText(json, text.Replace("\"featureSet\": 1,", "", StringComparison.Ordinal));
            var old = AnomalyModel.Load(zip);
            Assert.Equal(1, old.Info.FeatureSet);
            var device = () => new SyntheticMri(215, AnomalyFleetFixture.Days) { QuietUntilDay = 10, QuietShare = 0.35 };
            var viaFile = AnomalyFleetFixture.Run("ramp-up", device(), new AnomalyEngine(new AnomalyModelSet([old])));
            var inMemory = AnomalyFleetFixture.Run("ramp-up", device(), new AnomalyEngine(new AnomalyModelSet([plain])));
            Assert.NotEmpty(viaFile.Evidence);
            Assert.Equal(inMemory.Evidence.Select(e => (e.HourEnd, e.Evidence.Summary)), viaFile.Evidence.Select(e => (e.HourEnd, e.Evidence.Summary)));

            File.WriteAllText(json, text.Replace("\"featureSet\": 1", "\"featureSet\": 9", StringComparison.Ordinal));
            var error = Assert.Throws<InvalidDataException>(() => AnomalyModel.Load(zip));
            Assert.Contains("feature set 9", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
