using System.CommandLine;
using EquipmentTwin.Analytics.Anomaly;
using EquipmentTwin.Cli.Fleets;
using EquipmentTwin.Cli.Progress;
using EquipmentTwin.Evaluation;

namespace EquipmentTwin.Cli.Commands;

/// <summary>What <c>twin train</c> was asked for.</summary>
public sealed record TrainSettings(string Fleet, double Days, int Seed, string Out, string? Faults, string? Catalog, string? Seeds = null, string? CalibrationSeeds = null);

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
        var command = new Command("train", "Train anomaly models on a healthy simulation of a fleet and save them as the next version (docs/models-anomaly.md).")
        {
            fleet, days, seed, output, faults, catalog, seeds, calibrationSeeds,
        };
        command.SetAction(p => Run(new TrainSettings(p.GetValue(fleet)!, p.GetValue(days) ?? 60, p.GetValue(seed), p.GetValue(output) ?? "models", p.GetValue(faults), p.GetValue(catalog), p.GetValue(seeds), p.GetValue(calibrationSeeds))));
        return command;
    }

    public static int Run(TrainSettings s)
    {
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

        return ExitCodes.Ok;
    }
}
