using System.CommandLine;
using System.Text.Json;
using EquipmentTwin.Cli.Evaluation;
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
            Description = "with --quantiles: instead of the tables, hold out each report in turn, calibrate on the others and print how many of the held-out forecasts (first or daily, --forecasts) each band held",
        };
        var validate = new Option<string>("--validate")
        {
            Description = "with --quantiles: backtest reports of validation seeds, comma-separated; scores the new tables and the current ones (--config) on their forecasts (first or daily, --forecasts)",
            HelpName = "C.json,D.json",
        };
        var forecasts = CliOptions.Text("--forecasts", "with --quantiles: which forecasts of each failure the tables are read from, checked and judged on: the first its alert carried, or every one an open alert showed, sampled daily (reports from twin evaluate list them)", "first", "SET", "first", "daily");
        var ageDays = new Option<string>("--age-days")
        {
            Description = "with --quantiles, not with --per-model: also one table per age of the evidence (days since it began), each from its age to the next, read from the forecasts of that age only; the bandQuantiles table serves the youngest (bandQuantilesByAge in config/physics)",
            HelpName = "A,B",
        };
        CliOptions.Check(ageDays, text => text is null || ParseAges(text) is not null ? null : $"--age-days '{text}': needs positive days, rising, comma-separated (e.g. 7,30)");
        var afterPerModel = CliOptions.OptionalInt("--after-crossing-per-model", "with --quantiles: also an after-crossing table of its own for each physics model whose crossed forecasts come from at least N failures (the afterCrossingDays of its entry in config/physics); the pooled table is then read from the other models", min: 3);
        var config = CliOptions.ExistingDirectory("--config", "physics config folder holding the current tables (default config/physics beside the program)");
        var catalog = CliOptions.ExistingDirectory("--catalog", "signal catalogs folder the --config models refer to (default seeds/catalog beside the program)");
        var write = new Option<bool>("--write") { Description = "with --validate: write the new tables into --config when they validate at least as well: calibrated on the validation forecasts, with a mean interval score no higher than the current ones' (or the current ones are not calibrated)" };
        var command = new Command("calibrate-bands", "Split-conformal model-form spread of the physics bands from backtests of calibration seeds; prints it as JSON.")
        {
            reports, spreadUsed, view, quantiles, perModel, centered, leaveOneOut, validate, forecasts, ageDays, afterPerModel, config, catalog, write,
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

            if (r.GetResult(forecasts) is { Implicit: false } && !r.GetValue(quantiles))
            {
                r.AddError("--forecasts: only with --quantiles");
            }

            if (r.GetResult(ageDays) is not null && (!r.GetValue(quantiles) || r.GetResult(perModel) is not null))
            {
                r.AddError("--age-days: only with --quantiles, and not with --per-model (tables by age are pooled over models)");
            }

            if (r.GetResult(afterPerModel) is not null && !r.GetValue(quantiles))
            {
                r.AddError("--after-crossing-per-model: only with --quantiles");
            }

            if (r.GetValue(write) && r.GetResult(validate) is null)
            {
                r.AddError("--write: only with --validate (new tables are written only when they validate at least as well)");
            }
        });
        command.SetAction(p =>
        {
            var set = p.GetValue(forecasts) == "daily" ? ForecastSet.Daily : ForecastSet.First;
            var ages = p.GetValue(ageDays) is { } text ? ParseAges(text) : null;
            var after = p.GetValue(afterPerModel);
            if (p.GetValue(validate) is { } validation)
            {
                return Validate(p.GetValue(reports)!, validation, p.GetValue(config) ?? FleetFiles.BesideProgram("config", "physics"),
                    p.GetValue(catalog) ?? FleetFiles.BesideProgram("seeds", "catalog"), p.GetValue(write), p.GetValue(view)!, p.GetValue(perModel), p.InvocationConfiguration.Output, p.GetValue(centered), set, ages, after);
            }

            return Run(p.GetValue(reports)!, p.GetValue(spreadUsed), p.GetValue(view)!, p.GetValue(quantiles), p.GetValue(perModel), p.InvocationConfiguration.Output, p.GetValue(leaveOneOut), p.GetValue(centered), set, ages, after);
        });
        return command;
    }

    /// <summary>Calibrates new tables, scores them and the current ones on validation runs, and writes them when they validate at least as well.</summary>
    public static int Validate(string reportPaths, string validationPaths, string configDirectory, string catalogDirectory, bool write, string view, int? perModel, TextWriter output, bool centered = false,
        ForecastSet set = ForecastSet.First, IReadOnlyList<double>? ageDays = null, int? afterCrossingPerModel = null)
    {
        var calibration = BacktestReports.Read(reportPaths, "--reports");
        var validation = BacktestReports.Read(validationPaths, "--validate");
        try
        {
            var candidate = BandCalibration.CalibrateQuantiles(calibration, view, perModel, centered, set, ageDays, afterCrossingPerModel);
            var result = BandTablePromotion.Validate(candidate, configDirectory, Core.Catalog.SignalCatalog.LoadDirectory(catalogDirectory), validation, write, view);
            output.WriteLine(JsonSerializer.Serialize(new { tables = candidate, validation = result }, Json));
            return ExitCodes.Ok;
        }
        catch (InvalidOperationException ex)
        {
            throw new FailureException(ex.Message);
        }
    }

    /// <summary>"7,30" as rising positive days, or null when it is not that.</summary>
    public static IReadOnlyList<double>? ParseAges(string text)
    {
        var ages = new List<double>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!double.TryParse(part, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var a) || !double.IsFinite(a) || a <= 0 || (ages.Count > 0 && a <= ages[^1]))
            {
                return null;
            }

            ages.Add(a);
        }

        return ages;
    }

    public static int Run(string reportPaths, double? spreadUsed, string view, bool quantiles = false, int? perModel = null, TextWriter? output = null, bool leaveOneOut = false, bool centered = false,
        ForecastSet set = ForecastSet.First, IReadOnlyList<double>? ageDays = null, int? afterCrossingPerModel = null)
    {
        output ??= Console.Out;
        var reports = BacktestReports.Read(reportPaths, "--reports");

        if (quantiles)
        {
            try
            {
                output.WriteLine(leaveOneOut
                    ? JsonSerializer.Serialize(BandCalibration.CrossValidate(reports, view, perModel, centered, set, ageDays, afterCrossingPerModel), Json)
                    : JsonSerializer.Serialize(BandCalibration.CalibrateQuantiles(reports, view, perModel, centered, set, ageDays, afterCrossingPerModel), Json));
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
