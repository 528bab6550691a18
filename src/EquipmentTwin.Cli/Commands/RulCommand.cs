using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using EquipmentTwin.Analytics.Rul;
using EquipmentTwin.Cli.Progress;

namespace EquipmentTwin.Cli.Commands;

/// <summary><c>twin rul fit</c> and <c>twin rul predict</c>: the remaining-useful-life learner on a run-to-failure CSV (docs/models-rul.md).</summary>
public static class RulCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>Options of <c>twin rul fit</c>.</summary>
    public sealed record FitOptions(string Train, string Model, int Seed);

    /// <summary>Options of <c>twin rul predict</c>.</summary>
    public sealed record PredictOptions(string Model, string Input, string Json);

    public static Command Create()
    {
        var train = CliOptions.ExistingFile("--train", "run-to-failure CSV: header unit,time,<feature>,...; every unit runs to its failure", required: true);
        var fitModel = CliOptions.OutputPath("--model", "where model.zip, features.json and validation.json go", "DIR");
        fitModel.Required = true;
        var seed = SharedOptions.Seed();
        seed.Description = "unit split and ML.NET seed";
        var fit = new Command("fit", "Learn remaining useful life from run-to-failure histories (docs/models-rul.md).") { train, fitModel, seed };
        fit.SetAction(p => Fit(new FitOptions(p.GetValue(train)!, p.GetValue(fitModel)!, p.GetValue(seed))));

        var model = CliOptions.ExistingDirectory("--model", "a model written by 'twin rul fit'");
        model.Required = true;
        var input = CliOptions.ExistingFile("--input", "CSV of the units now, same columns as the training file", required: true);
        var json = SharedOptions.JsonFile("the predictions");
        json.Required = true;
        var predict = new Command("predict", "Remaining useful life (P10/P50/P90) of each unit at its last row.") { model, input, json };
        predict.SetAction(p => Predict(new PredictOptions(p.GetValue(model)!, p.GetValue(input)!, p.GetValue(json)!)));

        return new Command("rul", "Remaining-useful-life learner on run-to-failure CSV files (docs/models-rul.md).") { fit, predict };
    }

    public static int Fit(FitOptions options)
    {
        RulModel model;
        using (var progress = ConsoleProgress.Start("twin rul fit"))
        {
            progress.Step($"reading {options.Train}");
            var history = RulCsvReader.Read(options.Train);
            model = RulTrainer.Fit(history, new RulTrainingOptions { Seed = options.Seed }, progress);
        }

        model.Save(options.Model);
        var info = model.Info;
        var v = info.Validation;
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(inv, $"trained on {info.Units} units ({info.Rows} rows; lifetimes {info.LifetimeMin:0.###}–{info.LifetimeMax:0.###}, median {info.LifetimeMedian:0.###}): {info.TrainUnits.Length} fitted, {info.CalibrationUnits.Length} calibrate the interval, {info.ValidationUnits.Length} validate"));
        Console.WriteLine($"sensors kept  {string.Join(", ", model.Spec.Sensors)}");
        if (model.Spec.SettingColumns.Length > 0)
        {
            Console.WriteLine($"regimes       {model.Spec.RegimeCentroids.Length}, from {string.Join(", ", model.Spec.SettingColumns)}");
        }

        foreach (var d in model.Spec.Dropped)
        {
            Console.WriteLine($"dropped       {d.Name}: {d.Reason}");
        }

        Console.WriteLine(string.Create(inv, $"validation    {v.Units} held-out units, {v.Points} cut points: RMSE {v.Rmse:0.###}, MAE {v.Mae:0.###}, 80 % interval holds {v.Coverage80:P0} (mean width {v.MeanIntervalWidth:0.###}, mean true RUL {v.MeanTrueRul:0.###})"));
        Console.WriteLine($"model         {Path.GetFullPath(options.Model)}");
        return 0;
    }

    public static int Predict(PredictOptions options)
    {
        var model = RulModel.Load(options.Model);
        var history = RulCsvReader.Read(options.Input);
        var predictions = model.Predict(history);
        var dir = Path.GetDirectoryName(Path.GetFullPath(options.Json));
        if (dir is not null)
        {
            Directory.CreateDirectory(dir);
        }

        File.WriteAllText(options.Json, JsonSerializer.Serialize(new { units = predictions }, Json));
        Console.WriteLine($"{predictions.Count} units → {Path.GetFullPath(options.Json)}");
        return 0;
    }
}
