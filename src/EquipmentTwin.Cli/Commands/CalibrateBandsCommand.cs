using System.CommandLine;
using System.Text.Json;
using EquipmentTwin.Cli.Fleets;
using EquipmentTwin.Evaluation;

namespace EquipmentTwin.Cli.Commands;

/// <summary><c>twin calibrate-bands</c>: the split-conformal physics band spread from backtests of calibration seeds (docs/models.md).</summary>
public static class CalibrateBandsCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static Command Create()
    {
        var reports = new Option<string>("--reports") { Description = "backtest reports (twin evaluate --json) of calibration seeds, comma-separated", HelpName = "A.json,B.json", Required = true };
        var spreadUsed = CliOptions.Positive("--spread-used", "the model-form spread those backtests ran with (default 0.8)", "S");
        var view = CliOptions.Text("--view", "which engine's bands to calibrate", "physics", "VIEW", "physics", "fused");
        var quantiles = new Option<bool>("--quantiles") { Description = "calibrate one log offset per quantile (5/10/25/50/75/90/95 %) instead of one spread; prints the bandQuantiles table for config/physics, and the afterCrossingDays table from forecasts made after an observed crossing" };
        var perModel = CliOptions.OptionalInt("--per-model", "with --quantiles: also one table per physics model that has at least N forecasts (the bandQuantiles of its entry in config/physics); the others keep the pooled table", min: 3);
        var centered = new Option<bool>("--centered")
        {
            Description = "with --per-model: each model's table is its own median error plus the pooled quantiles of every such model's errors about its own median (one shared spread, each model's own bias)",
        };
        var leaveOneOut = new Option<bool>("--leave-one-out")
        {
            Description = "with --quantiles: instead of the tables, hold out each report in turn, calibrate on the others and print how many of the held-out first forecasts each band held",
        };
        var validate = new Option<string>("--validate")
        {
            Description = "with --quantiles: backtest reports of validation seeds, comma-separated; scores the new tables and the current ones (--config) on their first forecasts",
            HelpName = "C.json,D.json",
        };
        var config = CliOptions.ExistingDirectory("--config", "physics config folder holding the current tables (default config/physics beside the program)");
        var catalog = CliOptions.ExistingDirectory("--catalog", "signal catalogs folder the --config models refer to (default seeds/catalog beside the program)");
        var write = new Option<bool>("--write") { Description = "with --validate: write the new tables into --config when they validate at least as well: calibrated on the validation forecasts, with a mean interval score no higher than the current ones' (or the current ones are not calibrated)" };
        var command = new Command("calibrate-bands", "Split-conformal model-form spread of the physics bands from backtests of calibration seeds; prints it as JSON.")
        {
            reports, spreadUsed, view, quantiles, perModel, centered, leaveOneOut, validate, config, catalog, write,
        };
        command.Validators.Add(r =>
        {
            if (r.GetResult(perModel) is not null && !r.GetValue(quantiles))
            {
                r.AddError("--per-model: only with --quantiles");
            }

            if (r.GetValue(centered) && r.GetResult(perModel) is null)
            {
                r.AddError("--centered: only with --per-model");
            }

            if (r.GetValue(leaveOneOut) && !r.GetValue(quantiles))
            {
                r.AddError("--leave-one-out: only with --quantiles");
            }

            if (r.GetResult(validate) is not null && (!r.GetValue(quantiles) || r.GetValue(leaveOneOut)))
            {
                r.AddError("--validate: only with --quantiles, and not with --leave-one-out");
            }

            if (r.GetValue(write) && r.GetResult(validate) is null)
            {
                r.AddError("--write: only with --validate (new tables are written only when they validate at least as well)");
            }
        });
        command.SetAction(p =>
        {
            if (p.GetValue(validate) is { } validation)
            {
                return Validate(p.GetValue(reports)!, validation, p.GetValue(config) ?? FleetFiles.BesideProgram("config", "physics"),
                    p.GetValue(catalog) ?? FleetFiles.BesideProgram("seeds", "catalog"), p.GetValue(write), p.GetValue(view)!, p.GetValue(perModel), p.InvocationConfiguration.Output, p.GetValue(centered));
            }

            return Run(p.GetValue(reports)!, p.GetValue(spreadUsed), p.GetValue(view)!, p.GetValue(quantiles), p.GetValue(perModel), p.InvocationConfiguration.Output, p.GetValue(leaveOneOut), p.GetValue(centered));
        });
        return command;
    }

    /// <summary>Calibrates new tables, scores them and the current ones on validation runs, and writes them when they validate at least as well.</summary>
    public static int Validate(string reportPaths, string validationPaths, string configDirectory, string catalogDirectory, bool write, string view, int? perModel, TextWriter output, bool centered = false)
    {
        var calibration = Read(reportPaths, "--reports");
        var validation = Read(validationPaths, "--validate");
        try
        {
            var candidate = BandCalibration.CalibrateQuantiles(calibration, view, perModel, centered);
            var result = BandTablePromotion.Validate(candidate, configDirectory, Core.Catalog.SignalCatalog.LoadDirectory(catalogDirectory), validation, write, view);
            output.WriteLine(JsonSerializer.Serialize(new { tables = candidate, validation = result }, Json));
            return ExitCodes.Ok;
        }
        catch (InvalidOperationException ex)
        {
            throw new FailureException(ex.Message);
        }
    }

    private static List<BacktestReport> Read(string paths, string option)
    {
        var reports = new List<BacktestReport>();
        foreach (var path in paths.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!File.Exists(path))
            {
                throw new CommandLineException($"{option}: no file '{path}'");
            }

            reports.Add(JsonSerializer.Deserialize<BacktestReport>(File.ReadAllText(path), Json) ?? throw new CommandLineException($"{option}: '{path}' is not a backtest report"));
        }

        return reports;
    }

    public static int Run(string reportPaths, double? spreadUsed, string view, bool quantiles = false, int? perModel = null, TextWriter? output = null, bool leaveOneOut = false, bool centered = false)
    {
        output ??= Console.Out;
        var reports = Read(reportPaths, "--reports");

        if (quantiles)
        {
            try
            {
                output.WriteLine(leaveOneOut
                    ? JsonSerializer.Serialize(BandCalibration.CrossValidate(reports, view, perModel, centered), Json)
                    : JsonSerializer.Serialize(BandCalibration.CalibrateQuantiles(reports, view, perModel, centered), Json));
                return ExitCodes.Ok;
            }
            catch (InvalidOperationException ex)
            {
                throw new FailureException(ex.Message);
            }
        }

        var result = BandCalibration.Calibrate(reports, spreadUsed ?? Analytics.Physics.PhysicsModel.DefaultModelSpread, view);
        output.WriteLine(JsonSerializer.Serialize(result, Json));
        return ExitCodes.Ok;
    }
}
