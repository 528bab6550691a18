using System.Text;
using EquipmentTwin.Analytics.Rul;
using EquipmentTwin.Testing;

namespace EquipmentTwin.Analytics.Tests.Rul;

/// <summary>The learner on a small file typed by hand, not produced by this project: hours, pumps, a constant speed column.</summary>
public sealed class RulHandWrittenFileTests
{
    private const string Training = """
        unit,time,bearing_temp_c,vibration_mm_s,speed_rpm,room_c
        P-101,0,41.0,1.1,1480,21.5
        P-101,200,41.4,1.2,1480,22.0
        P-101,400,42.1,1.6,1480,20.8
        P-101,600,43.5,2.4,1480,21.9
        P-101,700,45.8,3.9,1480,22.4
        P-102,0,40.2,1.0,1480,20.1
        P-102,300,40.9,1.3,1480,23.0
        P-102,600,41.8,1.5,1480,21.2
        P-102,900,43.0,2.2,1480,22.7
        P-102,1100,44.6,3.1,1480,21.0
        P-102,1200,47.1,4.6,1480,20.5
        P-103,0,42.0,1.2,1480,22.2
        P-103,150,42.8,1.7,1480,21.4
        P-103,300,44.9,2.9,1480,20.9
        P-103,400,47.3,4.4,1480,22.8
        P-104,0,39.8,0.9,1480,21.7
        P-104,400,40.1,1.1,1480,20.6
        P-104,800,41.0,1.4,1480,22.3
        P-104,1200,42.2,1.9,1480,21.8
        P-104,1500,44.0,2.8,1480,20.2
        P-104,1650,46.6,4.2,1480,22.6
        P-105,0,41.5,1.1,1480,21.1
        P-105,250,42.0,1.4,1480,22.9
        P-105,500,43.2,2.0,1480,21.6
        P-105,700,45.1,3.2,1480,20.4
        P-105,800,47.0,4.5,1480,21.3
        P-106,0,40.6,1.0,1480,22.1
        P-106,350,41.1,1.2,1480,20.7
        P-106,700,42.0,1.6,1480,21.5
        P-106,1000,43.6,2.5,1480,22.0
        P-106,1150,46.2,4.1,1480,21.2
        P-107,0,41.2,1.1,1480,20.9
        P-107,300,41.9,1.5,1480,21.8
        P-107,600,43.4,2.3,1480,22.5
        P-107,800,46.0,3.8,1480,20.3
        P-107,850,47.4,4.7,1480,21.6
        P-108,0,40.0,0.9,1480,21.4
        P-108,500,40.6,1.1,1480,22.1
        P-108,1000,41.7,1.5,1480,20.6
        P-108,1400,43.3,2.3,1480,21.9
        P-108,1650,45.9,3.9,1480,22.8
        """;

    private const string Current = """
        unit,time,room_c,bearing_temp_c,vibration_mm_s,speed_rpm
        P-201,0,21.0,40.8,1.0,1480
        P-201,300,22.1,41.6,1.5,1480
        P-201,600,21.4,43.9,2.7,1480
        P-202,0,20.8,40.1,1.0,1480
        P-202,400,21.9,40.5,1.1,1480
        """;

    [Fact]
    public void Fits_and_predicts_a_hand_written_file_with_columns_in_another_order()
    {
        using var dir = new TempDirectory("rul-hand");
        var train = RulCsvReader.Parse(Encoding.UTF8.GetBytes(Training), "pumps.csv");
        var model = RulTrainer.Fit(train);
        model.Save(dir.Path);
        Assert.True(File.Exists(Path.Combine(dir.Path, RulModel.ZipFile)));
        Assert.Contains(model.Spec.Dropped, d => d.Name == "speed_rpm" && d.Reason == "constant");

        var loaded = RulModel.Load(dir.Path);
        Assert.Equal(8, loaded.Info.Units);
        Assert.Equal(train.Sha256, loaded.Info.TrainingSha256);
        Assert.Equal((0, 1650), (loaded.Info.TimeFrom, loaded.Info.TimeTo));
        Assert.Equal(2, loaded.Info.Validation.Units);

        var predictions = loaded.Predict(RulCsvReader.Parse(Encoding.UTF8.GetBytes(Current), "now.csv"));
        Assert.Equal(["P-201", "P-202"], predictions.Select(p => p.Unit));
        Assert.Equal([600.0, 400.0], predictions.Select(p => p.Time));
        Assert.All(predictions, p => Assert.True(p.RulP10 >= 0 && p.RulP10 <= p.RulP50 && p.RulP50 <= p.RulP90));
        // The worn pump (vibration 2.7 mm/s) has less life left than the one still at its baseline.
        Assert.True(predictions[0].RulP50 < predictions[1].RulP50, $"{predictions[0].RulP50} vs {predictions[1].RulP50}");
    }

    [Fact]
    public void A_file_without_a_column_the_model_reads_is_refused()
    {
        var model = RulTrainer.Fit(RulCsvReader.Parse(Encoding.UTF8.GetBytes(Training), "pumps.csv"));
        var ex = Assert.Throws<RulDataException>(() => model.Predict(RulCsvReader.Parse(Encoding.UTF8.GetBytes("unit,time,bearing_temp_c\nP-9,0,40\nP-9,10,41\n"), "now.csv")));
        Assert.Contains("now.csv: line 1: the model reads column 'vibration_mm_s'", ex.Message);
    }

    [Fact]
    public void Too_few_units_to_train_is_refused()
    {
        var ex = Assert.Throws<RulDataException>(() => RulTrainer.Fit(RulCsvReader.Parse(Encoding.UTF8.GetBytes("unit,time,x\na,0,1\na,1,2\nb,0,1\nb,2,3\n"), "two.csv")));
        Assert.Contains("two.csv: 2 unit(s)", ex.Message);
    }
}
