using System.Globalization;
using System.Text.Json;
using EquipmentTwin.Analytics.Rul;

namespace EquipmentTwin.Cli;

/// <summary><c>twin rul fit</c> and <c>twin rul predict</c>: the remaining-useful-life learner on a run-to-failure CSV (docs/models-rul.md).</summary>
public static class RulCommand
{
    public const string Usage = """
          rul fit      learn remaining useful life from run-to-failure histories (docs/models-rul.md)
                       --train FILE.csv   header unit,time,<feature>,...; every unit runs to its failure (required)
                       --model DIR        where model.zip, features.json and validation.json go (required)
                       --seed N           unit split and ML.NET seed (default 1)
          rul predict  remaining useful life of each unit at its last row
                       --model DIR --input FILE.csv --json OUT.json   (all required)
        """;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>Options of <c>twin rul fit</c>.</summary>
    public sealed record FitOptions(string Train, string Model, int Seed);

    /// <summary>Options of <c>twin rul predict</c>.</summary>
    public sealed record PredictOptions(string Model, string Input, string Json);

    public static int Run(string[] args)
    {
        if (args.Length == 0 || args[0] is not ("fit" or "predict"))
        {
            throw new CommandLineException("usage: twin rul fit --train FILE.csv --model DIR | twin rul predict --model DIR --input FILE.csv --json OUT.json");
        }

        try
        {
            if (args[0] == "fit")
            {
                var o = CommandOptions.Parse(args[1..], ["--train", "--model", "--seed"]);
                return Fit(new FitOptions(o.Required("--train"), o.Required("--model"), o.Int("--seed", 1)));
            }

            var p = CommandOptions.Parse(args[1..], ["--model", "--input", "--json"]);
            return Predict(new PredictOptions(p.Required("--model"), p.Required("--input"), p.Required("--json")));
        }
        catch (RulCsvException ex)
        {
            Console.Error.WriteLine($"twin: {ex.Message}");
            return 1;
        }
        catch (RulDataException ex)
        {
            Console.Error.WriteLine($"twin: {ex.Message}");
            return 1;
        }
    }

    public static int Fit(FitOptions options)
    {
        var history = RulCsvReader.Read(options.Train);
        var model = RulTrainer.Fit(history, new RulTrainingOptions { Seed = options.Seed });
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
