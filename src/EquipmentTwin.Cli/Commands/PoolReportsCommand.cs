using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using EquipmentTwin.Cli.Evaluation;
using EquipmentTwin.Evaluation;
using static EquipmentTwin.Cli.Evaluation.BacktestTable;

namespace EquipmentTwin.Cli.Commands;

/// <summary><c>twin pool-reports</c>: several backtest runs (<c>twin evaluate --json</c>) scored as one, with each run's figures beside (docs/models.md).</summary>
public static class PoolReportsCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static Command Create()
    {
        var reports = new Option<string>("--reports") { Description = "backtest reports (twin evaluate --json), comma-separated; each run counts once", HelpName = "A.json,B.json", Required = true };
        var json = SharedOptions.JsonFile("the pooled report");
        var view = CliOptions.Text("--view", "whose figures the per-run and per-scenario tables show (the JSON holds every engine's)", "fused", "VIEW", Backtest.ViewNames);
        var command = new Command("pool-reports",
            "Pool backtest reports of several seeds: every engine's recall, lead times, false alarms and band coverage recomputed over all their failures and forecasts, each run's own figures, and how far each pooled figure moves when the runs are resampled.")
        {
            reports, json, view,
        };
        command.SetAction(p => Run(p.GetValue(reports)!, p.GetValue(json), p.InvocationConfiguration.Output, p.GetValue(view)!));
        return command;
    }

    public static int Run(string reportPaths, string? jsonPath, TextWriter output, string view = "fused")
    {
        PooledReport pooled;
        try
        {
            pooled = BacktestPool.Pool(BacktestReports.Read(reportPaths, "--reports"));
        }
        catch (InvalidOperationException ex)
        {
            throw new FailureException(ex.Message);
        }

        if (!pooled.Engines.ContainsKey(view))
        {
            throw new FailureException($"--view {view}: the reports score {string.Join(", ", pooled.Engines.Keys)}");
        }

        Write(pooled, output, view);
        if (jsonPath is not null)
        {
            OutputFiles.WriteJson(jsonPath, pooled, Json, output);
        }

        return ExitCodes.Ok;
    }

    private static void Write(PooledReport r, TextWriter output, string view)
    {
        var fleets = r.Runs.Select(x => x.Fleet).Distinct().ToList();
        output.WriteLine($"{r.Runs.Count} runs of {string.Join(", ", fleets)} (seeds {string.Join(", ", r.Runs.Select(x => x.Seed))}), {r.DeviceMonths:0} device-months");
        output.WriteLine();
        BacktestTable.Engines(r.Engines).Write(output);
        output.WriteLine();
        output.WriteLine($"5-95 % of each pooled figure over {BacktestPool.Resamples} resamples of whole runs:");
        var intervals = new TextTable("engine", "recall", "lead P10 d", "false/100 dm", "band 50 %", "band 80 %", "daily 50 %", "daily 80 %");
        foreach (var (name, i) in r.SeedIntervals)
        {
            intervals.Add(name, Range(i, "recall", Pct), Range(i, "leadTimeDaysP10", Num), Range(i, "falseAlarmsPer100DeviceMonths", v => v?.ToString("0.00", CultureInfo.InvariantCulture) ?? "-"),
                Range(i, "bandCoverage50", Pct), Range(i, "bandCoverage80", Pct), Range(i, "dailyBandCoverage50", Pct), Range(i, "dailyBandCoverage80", Pct));
        }

        intervals.Write(output);
        BacktestTable.CalibratedRanges(r.Engines, "pools", output);
        output.WriteLine();
        output.WriteLine($"{view}, per run:");
        var runs = new TextTable("seed", "recall", "lead median d", "lead P10 d", "false/100 dm", "band 50/80 % (n)", "daily 50/80 % (n)");
        foreach (var f in r.PerRun[view])
        {
            runs.Add(f.Seed.ToString(CultureInfo.InvariantCulture), Pct1(f.Recall), Num(f.LeadTimeDaysMedian), Num(f.LeadTimeDaysP10),
                f.FalseAlarmsPer100DeviceMonths.ToString("0.00", CultureInfo.InvariantCulture),
                $"{Pct(f.BandCoverage50)}/{Pct(f.BandCoverage80)} ({f.WithBand})", $"{Pct(f.DailyBandCoverage50)}/{Pct(f.DailyBandCoverage80)} ({f.DailyForecasts})");
        }

        runs.Write(output);
        output.WriteLine();
        var scenarios = new TextTable("scenario", "failed", $"{view} foreseen", "median lead d", "lead P10 d");
        foreach (var s in r.Scenarios.Where(s => s.Engine == view && s.Kind == "machine"))
        {
            scenarios.Add(s.Scenario, s.Failures.ToString(CultureInfo.InvariantCulture), s.Foreseen.ToString(CultureInfo.InvariantCulture), Num(s.LeadTimeDaysMedian), Num(s.LeadTimeDaysP10));
        }

        scenarios.Write(output);
    }

    private static string Range(IReadOnlyDictionary<string, double[]> intervals, string figure, Func<double?, string> format) =>
        intervals.TryGetValue(figure, out var r) ? $"{format(r[0])}–{format(r[1])}" : "-";

    private static string Pct1(double v) => v.ToString("P1", CultureInfo.InvariantCulture);
}
