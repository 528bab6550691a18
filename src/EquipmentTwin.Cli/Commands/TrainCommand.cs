using System.CommandLine;
using EquipmentTwin.Analytics.Anomaly;
using EquipmentTwin.Cli.Evaluation;
using EquipmentTwin.Cli.Fleets;
using EquipmentTwin.Cli.Progress;
using EquipmentTwin.Evaluation;

namespace EquipmentTwin.Cli.Commands;

/// <summary>What <c>twin train</c> was asked for.</summary>
public sealed record TrainSettings(string Fleet, double Days, int Seed, string Out, string? Faults, string? Catalog, string? Seeds = null, string? CalibrationSeeds = null,
    string? DataDir = null, int? ValidateSeed = null, double? ValidateDays = null, string? Json = null);

/// <summary><c>twin train</c>: anomaly models trained on a healthy simulation of a fleet, saved as the next version.</summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var fleet = SharedOptions.Fleet();
        var days = SharedOptions.Days("default 60");
        var seed = SharedOptions.Seed();
        var output = CliOptions.OutputPath("--out", "where the models go (default models)", "DIR");
        var faults = SharedOptions.Faults();
        var catalog = SharedOptions.Catalog();
        var seeds = SharedOptions.Seeds("--seeds", "fit on healthy runs of these seeds (with --calibration-seeds; instead of --seed)");
        var calibrationSeeds = SharedOptions.Seeds("--calibration-seeds", "set thresholds on healthy runs of these seeds (with --seeds)");
        var dataDir = CliOptions.ExistingDirectory("--data-dir", "register the new versions as candidates in this store's model registry and validate them against its champions (with --validate-seed)");
        var validateSeed = CliOptions.OptionalInt("--validate-seed", "held-out seed: backtest champion and candidate on a faulty run of the fleet with this seed (not a training or calibration seed)", min: 0);
        var validateDays = CliOptions.Positive("--validate-days", "event-time length of the held-out backtest (default --days)", "N");
        var json = SharedOptions.JsonFile("the candidates' figures and the decisions");
        var command = new Command("train", "Train anomaly models on a healthy simulation of a fleet and save them as the next version; with --data-dir and --validate-seed, validate them against the champions on held-out data and promote only what is at least as good on recall and false alarms (docs/models.md).")
        {
            fleet, days, seed, output, faults, catalog, seeds, calibrationSeeds, dataDir, validateSeed, validateDays, json,
        };
        command.SetAction(p => Run(new TrainSettings(p.GetValue(fleet)!, p.GetValue(days) ?? 60, p.GetValue(seed), p.GetValue(output) ?? "models", p.GetValue(faults), p.GetValue(catalog), p.GetValue(seeds), p.GetValue(calibrationSeeds),
            p.GetValue(dataDir), p.GetValue(validateSeed), p.GetValue(validateDays), p.GetValue(json))));
        return command;
    }

    public static int Run(TrainSettings s)
    {
        if ((s.DataDir is null) != (s.ValidateSeed is null))
        {
            throw new CommandLineException("--data-dir and --validate-seed go together");
        }

        var fitSeeds = s.Seeds is { } fs ? SeedSplit.ParseSeeds(fs).Concat(SeedSplit.ParseSeeds(s.CalibrationSeeds ?? "")).ToArray() : [s.Seed + AnomalyTraining.SeedOffset];
        if (s.ValidateSeed is { } vs && (fitSeeds.Contains(vs) || vs == s.Seed))
        {
            throw new CommandLineException($"--validate-seed {vs} is a training or calibration seed: validation must be on data the candidate was not fitted on");
        }

        var (fleet, faults, catalog) = FleetFiles.Load(s.Fleet, s.Faults, s.Catalog);
        var version = Enum.GetValues<Core.WireFormat.Modality>().Max(m => AnomalyModelSet.NextVersion(s.Out, m));
        AnomalyModelSet models;
        using (var progress = ConsoleProgress.Start("twin train"))
        {
            models = s.Seeds is { } fit && s.CalibrationSeeds is { } calibration
                ? AnomalyTraining.TrainCalibrated(fleet, faults, catalog, SeedSplit.ParseSeeds(fit), SeedSplit.ParseSeeds(calibration), s.Days, version, progress: progress)
                : AnomalyTraining.TrainOnHealthyFleet(fleet, faults, catalog, s.Seed, s.Days, version, progress);
        }

        foreach (var model in models.Models)
        {
            var file = model.Save(s.Out);
            var v = model.Info.Validation;
            Console.WriteLine($"{model.Modality.ToString().ToLowerInvariant(),-5} v{model.Version}: {model.Info.TrainingRows} rows, threshold {model.Threshold:0.00}, held-out false-positive rate {v.FalsePositiveRate:P2} ({v.Rows} rows)"
                + (model.Info.Calibration is { } c ? $", calibrated on seeds {string.Join(",", c.Seeds)} ({c.DeviceMonths:0} device-months, {c.AlarmsAtThreshold} alarms; training threshold was {c.TrainingThreshold:0.00})" : "") + $" -> {file}");
        }

        if (s.DataDir is { } data && s.ValidateSeed is { } heldOut)
        {
            ModelValidation.Run(s, models, data, heldOut);
        }

        return ExitCodes.Ok;
    }
}
