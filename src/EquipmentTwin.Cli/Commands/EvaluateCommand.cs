using System.CommandLine;
using System.Text.Json;
using EquipmentTwin.Cli.Evaluation;
using EquipmentTwin.Cli.Fleets;
using EquipmentTwin.Cli.Progress;
using EquipmentTwin.Evaluation;

namespace EquipmentTwin.Cli.Commands;

/// <summary>What <c>twin evaluate</c> was asked for.</summary>
public sealed record EvaluateSettings(BacktestSetup Setup, string? JsonPath, string? ReportDir);

/// <summary><c>twin evaluate</c>: the backtest. Simulates a fleet offline through the analytics and scores it against ground truth (docs/models.md).</summary>
public static class EvaluateCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static Command Create()
    {
        var fleet = SharedOptions.Fleet();
        var days = SharedOptions.Days("default 365");
        var seed = SharedOptions.Seed();
        var json = SharedOptions.JsonFile("the report");
        var report = CliOptions.OutputPath("--report", "also write a self-contained HTML report with plots (and the plots as PNG) into this folder", "DIR");
        var models = CliOptions.ExistingDirectory("--models", "anomaly models to use (default: train them on a healthy run of the fleet)");
        var trainingDays = CliOptions.Positive("--training-days", "days of the healthy training run (default: --days)", "N");
        var catalog = SharedOptions.Catalog();
        var faults = SharedOptions.Faults();
        var rules = CliOptions.ExistingDirectory("--rules", "knowledge rules folder (default config/rules beside the program)");
        var physics = CliOptions.ExistingDirectory("--physics", "physics models folder (default config/physics beside the program)");
        var trainingSeeds = SharedOptions.Seeds("--training-seeds", "fit anomaly models on healthy runs of these seeds first (with --calibration-seeds)");
        var calibrationSeeds = SharedOptions.Seeds("--calibration-seeds", "set the anomaly thresholds on healthy runs of these seeds (with --training-seeds)");
        var physicsSpread = CliOptions.Positive("--physics-spread", "model-form spread of every physics band (default: the physics config's)", "S");
        var command = new Command("evaluate", "Backtest: simulate a fleet offline through the analytics and score every engine against the ground truth (docs/models.md). The table goes to stdout, progress to stderr.")
        {
            fleet, days, seed, json, report, models, trainingDays, catalog, faults, rules, physics, trainingSeeds, calibrationSeeds, physicsSpread,
        };
        command.SetAction(p =>
        {
            var fleetPath = p.GetValue(fleet)!;
            var setup = new BacktestSetup(
                fleetPath,
                p.GetValue(days) ?? 365,
                p.GetValue(seed),
                FleetFiles.ResolveSeedDirectory(fleetPath, "catalog", p.GetValue(catalog)),
                FleetFiles.ResolveSeedDirectory(fleetPath, "faults", p.GetValue(faults)),
                p.GetValue(rules) ?? FleetFiles.BesideProgram("config", "rules"),
                p.GetValue(physics) ?? FleetFiles.BesideProgram("config", "physics"),
                p.GetValue(models),
                p.GetValue(trainingDays),
                TrainingSeeds: p.GetValue(trainingSeeds) is { } ts ? SeedSplit.ParseSeeds(ts) : null,
                CalibrationSeeds: p.GetValue(calibrationSeeds) is { } cs ? SeedSplit.ParseSeeds(cs) : null,
                PhysicsModelSpread: p.GetValue(physicsSpread));
            return Run(new EvaluateSettings(setup, p.GetValue(json), p.GetValue(report)), p.InvocationConfiguration.Output);
        });
        return command;
    }

    public static int Run(EvaluateSettings settings, TextWriter output)
    {
        BacktestReport report;
        using (var progress = ConsoleProgress.Start("twin evaluate"))
        {
            report = Backtest.Run(settings.Setup, progress: progress);
        }

        BacktestTable.Write(report, output);
        if (settings.JsonPath is { } path)
        {
            OutputFiles.WriteJson(path, report, Json, output);
        }

        if (settings.ReportDir is { } dir)
        {
            output.WriteLine($"wrote {BacktestHtmlReport.Write(report, dir)}");
        }

        return ExitCodes.Ok;
    }
}
