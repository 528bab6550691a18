using EquipmentTwin.Analytics.Rul;
using EquipmentTwin.Testing;

namespace EquipmentTwin.Analytics.Tests.Rul;

/// <summary>
/// The learner on files this project did not produce (Rul/Fixtures/conveyor-*.csv): conveyor drive bearings, time in
/// kilometres of belt travel, 24 units run to seizure with lifetimes from 2,053 to 5,840 km, four operating regimes
/// (load 0.5/1.0 × belt speed 1200/1800), a constant firmware column, a hall-noise column unrelated to wear, and
/// the prediction file's columns in another order. The three units now have 731, 1,228.2 and 3,166.8 km left
/// (known from how the file was made).
/// </summary>
public sealed class RulForeignFileTests
{
    private static string Fixture(string name) => Path.Combine(RepoPaths.Root, "tests", "EquipmentTwin.Analytics.Tests", "Rul", "Fixtures", name);

    [Fact]
    public void Finds_the_regimes_drops_the_constant_and_noise_columns_and_bands_the_true_remaining_life()
    {
        var model = RulTrainer.Fit(RulCsvReader.Read(Fixture("conveyor-train.csv")), new RulTrainingOptions { Seed = 1 });

        Assert.Equal(["load_frac", "belt_speed_mpm"], model.Spec.SettingColumns);
        Assert.Equal(4, model.Spec.RegimeCentroids.Length);
        Assert.Contains(model.Spec.Dropped, d => d.Name == "firmware_major" && d.Reason == "constant");
        Assert.Contains(model.Spec.Dropped, d => d.Name == "hall_noise_db" && d.Reason.StartsWith("no relation to remaining life", StringComparison.Ordinal));
        Assert.Contains("vib_rms_g", model.Spec.Sensors);

        var predictions = model.Predict(RulCsvReader.Read(Fixture("conveyor-now.csv")));
        var truth = new Dictionary<string, double> { ["CB-31"] = 731, ["CB-32"] = 1228.2, ["CB-33"] = 3166.8 };
        Assert.Equal(truth.Keys, predictions.Select(p => p.Unit));
        Assert.All(predictions, p =>
        {
            Assert.True(p.RulP10 <= p.RulP50 && p.RulP50 <= p.RulP90);
            Assert.InRange(truth[p.Unit], p.RulP10, p.RulP90);
            Assert.InRange(p.RulP50, 0.75 * truth[p.Unit], 1.25 * truth[p.Unit]);
        });
    }
}
