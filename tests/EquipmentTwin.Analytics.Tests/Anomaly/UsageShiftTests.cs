using EquipmentTwin.Analytics.Anomaly;
using EquipmentTwin.Core.Catalog;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Testing;
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

    /// <summary>The fixture's MRI catalog with one more counter, <c>exam_seconds</c>, workload or not.</summary>
    private static ModalityCatalog WithExamCounter(bool workload)
    {
        var dir = Path.Combine(Path.GetTempPath(), "catalog-workload-" + Guid.NewGuid().ToString("N"));
        try
        {
            Directory.CreateDirectory(dir);
            var text = File.ReadAllText(Path.Combine(RepoPaths.Catalog, "mri.json"));
            var at = text.IndexOf("\"signals\": [", StringComparison.Ordinal) + "\"signals\": [".Length;
            var signal = $$"""{"name": "exam_seconds", "unit": "s", "component": "gradient_coil", "sampleSeconds": 300, "cumulative": true, "workload": {{(workload ? "true" : "false")}}},""";
            File.WriteAllText(Path.Combine(dir, "mri.json"), text.Insert(at, signal));
            return SignalCatalog.LoadDirectory(dir)[Modality.Mri];
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_counter_that_stops_opens_evidence_unless_the_catalog_calls_it_workload()
    {
        // The same model (trained with the counter as a feature) and the same device, whose counter stops on day 20 while
        // everything else goes on: only whether the catalog calls the counter workload differs.
        var catalog = WithExamCounter(workload: false);
        var workload = WithExamCounter(workload: true);
        Assert.True(workload.Signals["exam_seconds"].Workload);
        Assert.False(catalog.Signals["exam_seconds"].Workload);
        var model = ModelWithExamCounter(catalog);
        var device = () => new SyntheticMri(216, AnomalyFleetFixture.Days) { ExamCounter = true, ExamCounterStopsFromDay = 20 };

        var counter = AnomalyFleetFixture.Run("stopped", device(), new AnomalyEngine(new AnomalyModelSet([model])), catalog: catalog);
        var work = AnomalyFleetFixture.Run("stopped", device(), new AnomalyEngine(new AnomalyModelSet([model])), catalog: workload);

        Assert.NotEmpty(counter.Evidence);
        var (hourEnd, first) = counter.Evidence[0];
        output.WriteLine($"counter: day {AnomalyFleetFixture.Day(hourEnd):F2} {first.Component}: {first.Summary}");
        Assert.StartsWith("Unusual joint drift: exam_seconds rate", first.Summary, StringComparison.Ordinal);
        Assert.Empty(work.Evidence);
    }

    /// <summary>The fixture's six healthy devices with the exam counter of <paramref name="catalog"/>, and the model trained on them.</summary>
    private static AnomalyModel ModelWithExamCounter(ModalityCatalog catalog)
    {
        var collector = new AnomalyFeatureCollector();
        for (var seed = 1; seed <= 6; seed++)
        {
            AnomalyFleetFixture.Run($"train{seed:00}", new SyntheticMri(seed, AnomalyFleetFixture.Days) { ExamCounter = true }, collector, catalog: catalog);
        }

        var model = AnomalyTrainer.Train(Modality.Mri, collector.RowsFor(Modality.Mri), collector.FeatureNames(Modality.Mri), new AnomalyTrainingOptions());
        Assert.Contains("exam_seconds.rate", model.FeatureNames);
        return model;
    }

    [Fact]
    public void A_device_that_is_down_opens_no_evidence_though_its_counters_stop()
    {
        // The model and catalog of the test above, where a stopped counter on a working device opens evidence. Here the
        // device goes down on day 20: no exam from then on (a failure waiting for repair), so its counter stops too.
        var catalog = WithExamCounter(workload: false);
        var model = ModelWithExamCounter(catalog);
        var device = () => new SyntheticMri(216, AnomalyFleetFixture.Days) { ExamCounter = true, DownFromDay = 20 };

        var down = AnomalyFleetFixture.Run("down", device(), new AnomalyEngine(new AnomalyModelSet([model])), catalog: catalog);

        Assert.Empty(down.Evidence);
        Assert.Empty(down.Issues);
    }

    [Fact]
    public void The_shipped_catalogs_call_usage_counters_workload_and_wear_counters_not()
    {
        var catalogs = SignalCatalog.LoadDirectory(RepoPaths.Catalog);
        var workload = catalogs.Modalities.SelectMany(c => c.Signals.Values.Where(s => s.Workload).Select(s => $"{c.Modality.ToWire()}:{s.Name}")).Order(StringComparer.Ordinal);

        Assert.Equal(["ct:gantry_rotation_count", "ct:tube_scan_seconds", "ct:tube_total_mas", "xray:exposure_count", "xray:tube_total_mas"], workload);
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
