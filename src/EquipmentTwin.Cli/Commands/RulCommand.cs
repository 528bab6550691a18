using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using EquipmentTwin.Analytics.Rul;
using EquipmentTwin.Service.Models;
using EquipmentTwin.Storage.Audit;
using EquipmentTwin.Storage.Models;
using EquipmentTwin.Cli.Progress;

namespace EquipmentTwin.Cli.Commands;

/// <summary><c>twin rul fit</c> and <c>twin rul predict</c>: the remaining-useful-life learner on a run-to-failure CSV (docs/models-rul.md).</summary>
public static class RulCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>Options of <c>twin rul fit</c>.</summary>
    public sealed record FitOptions(string Train, string Model, int Seed, string? DataDir = null, string? Kind = null);

    /// <summary>Options of <c>twin rul predict</c>.</summary>
    public sealed record PredictOptions(string Model, string Input, string Json);

    public static Command Create()
    {
        var train = CliOptions.ExistingFile("--train", "run-to-failure CSV: header unit,time,<feature>,...; every unit runs to its failure", required: true);
        var fitModel = CliOptions.OutputPath("--model", "where model.zip, features.json and validation.json go", "DIR");
        fitModel.Required = true;
        var seed = SharedOptions.Seed();
        seed.Description = "unit split and ML.NET seed";
        var dataDir = CliOptions.ExistingDirectory("--data-dir", "also register the model in this store's model registry (champion when its kind has none, else a candidate for review)");
        var kind = CliOptions.Text("--kind", "registry kind, rul-NAME (default rul- and the training file's name)");
        var fit = new Command("fit", "Learn remaining useful life from run-to-failure histories (docs/models-rul.md).") { train, fitModel, seed, dataDir, kind };
        fit.SetAction(p => Fit(new FitOptions(p.GetValue(train)!, p.GetValue(fitModel)!, p.GetValue(seed), p.GetValue(dataDir), p.GetValue(kind))));

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
        if (options.Kind is { } k && !k.StartsWith("rul-", StringComparison.Ordinal))
        {
            throw new CommandLineException($"--kind '{k}' must start with rul-");
        }

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
        if (options.DataDir is { } data)
        {
            var record = Register(options, info, data);
            Console.WriteLine($"registry      {record.Kind} v{record.Version}: {record.State.ToWire()} ({record.Reason})");
        }

        return 0;
    }

    /// <summary>Registers a fitted model with its held-out figures; the first of its kind becomes champion, later ones wait as candidates for a person to compare and promote.</summary>
    private static ModelRecord Register(FitOptions options, RulModelInfo info, string dataDir)
    {
        var db = Path.Combine(dataDir, "twin.db");
        if (!File.Exists(db))
        {
            throw new FailureException($"{db} does not exist: start the service on this folder once (twin serve --data-dir {dataDir})");
        }

        var kind = options.Kind ?? "rul-" + Path.GetFileNameWithoutExtension(options.Train);

        using var registry = new SqliteModelRegistry(db);
        using var audit = SqliteAuditStore.Open(dataDir);
        var now = DateTimeOffset.UtcNow;
        var all = registry.ListAsync(kind, default).GetAwaiter().GetResult();
        var champion = all.FirstOrDefault(m => m.State == ModelState.Champion);
        var v = info.Validation;
        var inv = CultureInfo.InvariantCulture;
        var record = new ModelRecord
        {
            Kind = kind,
            Version = all.Select(m => m.Version).DefaultIfEmpty(0).Max() + 1,
            Reason = champion is null ? "first model of its kind"
                : string.Create(inv, $"awaiting review against champion v{champion.Version}: held-out RMSE {v.Rmse:0.###} vs {champion.Validation.GetValueOrDefault("rmse"):0.###}, 80 % coverage {v.Coverage80:0.###} vs {champion.Validation.GetValueOrDefault("coverage80"):0.###}"),
            Source = $"{Path.GetFullPath(options.Train)} (sha256 {info.TrainingSha256[..Math.Min(12, info.TrainingSha256.Length)]}; {info.Units} units, time {info.TimeFrom.ToString(inv)}–{info.TimeTo.ToString(inv)} in the file's unit)",
            Seeds = [info.Seed],
            Validation = new Dictionary<string, double>
            {
                ["heldOutUnits"] = v.Units,
                ["cutPoints"] = v.Points,
                ["rmse"] = v.Rmse,
                ["mae"] = v.Mae,
                ["coverage80"] = v.Coverage80,
                ["meanIntervalWidth"] = v.MeanIntervalWidth,
            },
            Artifact = Path.GetFullPath(options.Model),
            CreatedAt = now,
            ChangedAt = now,
            ChangedBy = Environment.UserName,
        };
        registry.RegisterAsync(record, default).GetAwaiter().GetResult();
        if (champion is null)
        {
            record = registry.PromoteAsync(kind, record.Version, Environment.UserName, record.Reason, now, default).GetAwaiter().GetResult();
            audit.AppendAsync([ModelRegistryService.AuditOf(kind, Environment.UserName, now, "promoted", null, record, record.Reason)], default).GetAwaiter().GetResult();
        }

        return record;
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
