using System.CommandLine;
using EquipmentTwin.Analytics.Anomaly;
using EquipmentTwin.Cli.Evaluation;
using EquipmentTwin.Cli.Fleets;
using EquipmentTwin.Cli.Progress;
using EquipmentTwin.Evaluation;

namespace EquipmentTwin.Cli.Commands;

/// <summary>What <c>twin train</c> was asked for.</summary>
public sealed record TrainSettings(string Fleet, double Days, int Seed, string Out, string? Faults, string? Catalog, string? Seeds = null, string? CalibrationSeeds = null,
    string? DataDir = null, int? ValidateSeed = null, double? ValidateDays = null, string? Json = null, int? FeedbackSeed = null)
{
    /// <summary>What the candidates learned from the feedback run (set by training, for the registry).</summary>
    public string? FeedbackSummary { get; init; }
}

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
        var feedbackSeed = CliOptions.OptionalInt("--feedback-seed", "learn from the labels in --data-dir on the faulty run of the fleet with this seed (the run engineers gave feedback on): false-alarm spans are fitted as healthy, the weeks before its repairs and the champions' unlabelled alarms left out (with --seeds, --calibration-seeds, --data-dir)", min: 0);
        var command = new Command("train", "Train anomaly models on a healthy simulation of a fleet and save them as the next version; with --data-dir and --validate-seed, validate them against the champions on held-out data and promote only what is at least as good on recall and false alarms (docs/models.md).")
        {
            fleet, days, seed, output, faults, catalog, seeds, calibrationSeeds, dataDir, validateSeed, validateDays, json, feedbackSeed,
        };
        command.SetAction(p => Run(new TrainSettings(p.GetValue(fleet)!, p.GetValue(days) ?? 60, p.GetValue(seed), p.GetValue(output) ?? "models", p.GetValue(faults), p.GetValue(catalog), p.GetValue(seeds), p.GetValue(calibrationSeeds),
            p.GetValue(dataDir), p.GetValue(validateSeed), p.GetValue(validateDays), p.GetValue(json), p.GetValue(feedbackSeed))));
        return command;
    }

    public static int Run(TrainSettings s)
    {
        if ((s.DataDir is null) != (s.ValidateSeed is null))
        {
            throw new CommandLineException("--data-dir and --validate-seed go together");
        }

        if (s.FeedbackSeed is not null && (s.DataDir is null || s.Seeds is null || s.CalibrationSeeds is null))
        {
            throw new CommandLineException("--feedback-seed needs --data-dir (where the labels are), --seeds and --calibration-seeds");
        }

        var fitSeeds = s.Seeds is { } fs ? SeedSplit.ParseSeeds(fs).Concat(SeedSplit.ParseSeeds(s.CalibrationSeeds ?? "")).Concat(s.FeedbackSeed is { } f ? [f] : []).ToArray() : [s.Seed + AnomalyTraining.SeedOffset];
        if (s.ValidateSeed is { } vs && (fitSeeds.Contains(vs) || vs == s.Seed))
        {
            throw new CommandLineException($"--validate-seed {vs} is a training or calibration seed: validation must be on data the candidate was not fitted on");
        }

        var (fleet, faults, catalog) = FleetFiles.Load(s.Fleet, s.Faults, s.Catalog);
        var version = Enum.GetValues<Core.WireFormat.Modality>().Max(m => AnomalyModelSet.NextVersion(s.Out, m));
        AnomalyModelSet models;
        using (var progress = ConsoleProgress.Start("twin train"))
        {
            if (s.FeedbackSeed is { } feedback)
            {
                (models, var summary) = FeedbackTraining.Train(s, fleet, faults, catalog, feedback, version, progress);
                s = s with { FeedbackSummary = summary };
            }
            else
            {
                models = s.Seeds is { } fit && s.CalibrationSeeds is { } calibration
                    ? AnomalyTraining.TrainCalibrated(fleet, faults, catalog, SeedSplit.ParseSeeds(fit), SeedSplit.ParseSeeds(calibration), s.Days, version, progress: progress)
                    : AnomalyTraining.TrainOnHealthyFleet(fleet, faults, catalog, s.Seed, s.Days, version, progress);
            }
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
