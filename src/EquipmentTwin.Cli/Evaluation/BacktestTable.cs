using System.Globalization;
using EquipmentTwin.Evaluation;

namespace EquipmentTwin.Cli.Evaluation;

/// <summary>The backtest figures as text tables; columns size themselves to their longest cell, so long scenario names keep the alignment.</summary>
public static class BacktestTable
{
    public static void Write(BacktestReport r, TextWriter output)
    {
        output.WriteLine($"backtest of {r.Fleet}: {r.Devices} devices, {r.Days:0.#} days from {r.Start[..10]} (seed {r.Seed}), {r.DeviceMonths:0} device-months, {r.Timing.Records:N0} records in {r.Timing.Seconds:0.0} s ({r.Timing.RecordsPerSecond:N0}/s)");
        output.WriteLine();
        var scores = Backtest.ViewNames.Select(name => KeyValuePair.Create(name, r.Engines[name])).ToList();
        Engines(scores).Write(output);
        CalibratedRanges(scores, "runs", output);

        output.WriteLine();
        var scenarios = new TextTable("scenario", "faults", "failed", "fused foreseen", "median lead d");
        foreach (var g in r.Faults.GroupBy(f => f.Scenario).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var failed = g.Where(f => f.Failure is not null && f.Kind == "machine").ToList();
            var leads = failed.Select(f => f.LeadTimeDays["fused"]).OfType<double>().OrderBy(x => x).ToList();
            var kind = g.First().Kind == "sensor" ? " (sensor)" : "";
            scenarios.Add(g.Key + kind, g.Count().ToString(CultureInfo.InvariantCulture), failed.Count.ToString(CultureInfo.InvariantCulture),
                leads.Count.ToString(CultureInfo.InvariantCulture), leads.Count == 0 ? "-" : leads[leads.Count / 2].ToString("0.0", CultureInfo.InvariantCulture));
        }

        scenarios.Write(output);
        var fusedFalse = r.FalseAlarms.Where(f => f.View == "fused").ToList();
        if (fusedFalse.Count > 0)
        {
            output.WriteLine();
            output.WriteLine($"fused false alarms ({fusedFalse.Count}):");
            foreach (var f in fusedFalse.Take(20))
            {
                output.WriteLine($"  {f.Opened[..16]} {f.Device} {f.Component} {f.Severity}: {f.OpenedOn ?? f.Summary}");
                if (f.OpenedOn is { } opened && opened != f.Summary)
                {
                    output.WriteLine($"    last: {f.Summary}");
                }
            }
        }
    }

    /// <summary>One row per view: recall, lead times, false alarms and the share of first and of daily forecasts each band held.</summary>
    public static TextTable Engines(IEnumerable<KeyValuePair<string, EngineScore>> scores)
    {
        var engines = new TextTable("engine", "recall", "foreseen", "lead median d", "lead P10 d", "false/100 dm", "misattr.", "band 50/80/90 %", "daily 50/80/90 %");
        foreach (var (name, s) in scores)
        {
            engines.Add(name, s.Recall.ToString("P1", CultureInfo.InvariantCulture), $"{s.Foreseen}/{s.Failures}", Num(s.LeadTimeDaysMedian), Num(s.LeadTimeDaysP10),
                s.FalseAlarmsPer100DeviceMonths.ToString("0.00", CultureInfo.InvariantCulture), s.Misattributed.ToString(CultureInfo.InvariantCulture),
                $"{Pct(s.BandCoverage50)}/{Pct(s.BandCoverage80)}/{Pct(s.BandCoverage90)}", $"{Pct(s.DailyBandCoverage50)}/{Pct(s.DailyBandCoverage80)}/{Pct(s.DailyBandCoverage90)}");
        }

        return engines;
    }

    /// <summary>Per view with first forecasts, the shares a calibrated band would hold with that many, nine <paramref name="what"/> in ten.</summary>
    public static void CalibratedRanges(IEnumerable<KeyValuePair<string, EngineScore>> scores, string what, TextWriter output)
    {
        foreach (var (name, s) in scores)
        {
            if (s is { WithBand: > 0, BandCoverageCalibratedRange: { } range })
            {
                output.WriteLine($"{name} bands: {s.WithBand} first forecast{(s.WithBand == 1 ? "" : "s")}; a calibrated band would hold 50/80/90 % in {Range(range["50"])} / {Range(range["80"])} / {Range(range["90"])} nine {what} in ten");
            }
        }
    }

    private static string Range(double[] r) => $"{Pct(r[0])}–{Pct(r[1])}";

    internal static string Pct(double? v) => v is { } x ? (100 * x).ToString("0", CultureInfo.InvariantCulture) : "-";

    internal static string Num(double? v) => v is { } x ? x.ToString("0.0", CultureInfo.InvariantCulture) : "-";
}
