using System.Globalization;
using System.Text.Json;
using EquipmentTwin.Analytics.Anomaly;
using EquipmentTwin.Evaluation;

namespace EquipmentTwin.Cli;

/// <summary><c>twin evaluate</c> (backtest) and <c>twin train</c> (anomaly models from a healthy fleet).</summary>
public static class EvaluateCommand
{
    public const string Usage = """
          evaluate   backtest: simulate a fleet offline through the analytics and score it against ground truth
                       --fleet FILE --days N --seed N [--json FILE] [--models DIR] [--training-days N (default: --days)]
          train      train anomaly models on a healthy simulation of a fleet and save them
                       --fleet FILE --days N --seed N [--out DIR (default models)]
        """;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static int Evaluate(string[] args)
    {
        var a = CommandOptions.Parse(args, ["--fleet", "--days", "--seed", "--json", "--models", "--training-days", "--catalog", "--faults", "--rules", "--physics"]);
        var fleet = a.Required("--fleet");
        var setup = new BacktestSetup(
            fleet,
            a.PositiveOrNull("--days") ?? 365,
            a.Int("--seed", 1),
            SimulateCommand.ResolveSeedDirectory(fleet, "catalog", a.Get("--catalog")),
            SimulateCommand.ResolveSeedDirectory(fleet, "faults", a.Get("--faults")),
            a.Get("--rules") ?? Base("config", "rules"),
            a.Get("--physics") ?? Base("config", "physics"),
            a.Get("--models"),
            a.PositiveOrNull("--training-days"));
        var report = Backtest.Run(setup, m => Console.Error.WriteLine("twin evaluate: " + m));
        Print(report);
        if (a.Get("--json") is { } path)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            File.WriteAllText(path, JsonSerializer.Serialize(report, Json));
            Console.WriteLine($"wrote {path}");
        }

        return 0;
    }

    public static int Train(string[] args)
    {
        var a = CommandOptions.Parse(args, ["--fleet", "--days", "--seed", "--out", "--catalog", "--faults"]);
        var (fleet, faults, catalog) = SimulateCommand.Load(a.Required("--fleet"), a.Get("--faults"), a.Get("--catalog"));
        var output = a.Get("--out") ?? "models";
        var version = Enum.GetValues<Core.WireFormat.Modality>().Max(m => AnomalyModelSet.NextVersion(output, m));
        var models = AnomalyTraining.TrainOnHealthyFleet(fleet, faults, catalog, a.Int("--seed", 1), a.PositiveOrNull("--days") ?? 60, version);
        foreach (var model in models.Models)
        {
            var file = model.Save(output);
            var v = model.Info.Validation;
            Console.WriteLine($"{model.Modality.ToString().ToLowerInvariant(),-5} v{model.Version}: {model.Info.TrainingRows} rows, threshold {model.Threshold:0.00}, held-out false-positive rate {v.FalsePositiveRate:P2} ({v.Rows} rows) -> {file}");
        }

        return 0;
    }

    private static void Print(BacktestReport r)
    {
        Console.WriteLine($"backtest of {r.Fleet}: {r.Devices} devices, {r.Days:0.#} days from {r.Start[..10]} (seed {r.Seed}), {r.DeviceMonths:0} device-months, {r.Timing.Records:N0} records in {r.Timing.Seconds:0.0} s ({r.Timing.RecordsPerSecond:N0}/s)");
        Console.WriteLine();
        Console.WriteLine($"{"engine",-8} {"recall",8} {"foreseen",9} {"lead median d",14} {"lead P10 d",11} {"false/100 dm",13} {"misattr.",9} {"band 50/80/90 %",16}");
        foreach (var name in Backtest.ViewNames)
        {
            var s = r.Engines[name];
            Console.WriteLine($"{name,-8} {s.Recall,8:P1} {$"{s.Foreseen}/{s.Failures}",9} {Num(s.LeadTimeDaysMedian),14} {Num(s.LeadTimeDaysP10),11} {s.FalseAlarmsPer100DeviceMonths,13:0.00} {s.Misattributed,9} {Pct(s.BandCoverage50) + "/" + Pct(s.BandCoverage80) + "/" + Pct(s.BandCoverage90),16}");
        }

        Console.WriteLine();
        Console.WriteLine($"{"scenario",-32} {"faults",6} {"failed",6} {"fused foreseen",15} {"median lead d",14}");
        foreach (var g in r.Faults.GroupBy(f => f.Scenario).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var failed = g.Where(f => f.Failure is not null && f.Kind == "machine").ToList();
            var leads = failed.Select(f => f.LeadTimeDays["fused"]).OfType<double>().OrderBy(x => x).ToList();
            var kind = g.First().Kind == "sensor" ? " (sensor)" : "";
            Console.WriteLine($"{g.Key + kind,-32} {g.Count(),6} {failed.Count,6} {leads.Count,15} {(leads.Count == 0 ? "-" : leads[leads.Count / 2].ToString("0.0", CultureInfo.InvariantCulture)),14}");
        }

        var fusedFalse = r.FalseAlarms.Where(f => f.View == "fused").ToList();
        if (fusedFalse.Count > 0)
        {
            Console.WriteLine();
            Console.WriteLine($"fused false alarms ({fusedFalse.Count}):");
            foreach (var f in fusedFalse.Take(20))
            {
                Console.WriteLine($"  {f.Opened[..16]} {f.Device} {f.Component} {f.Severity}: {f.Summary}");
            }
        }
    }

    private static string Pct(double? v) => v is { } x ? (100 * x).ToString("0", CultureInfo.InvariantCulture) : "-";

    private static string Num(double? v) => v is { } x ? x.ToString("0.0", CultureInfo.InvariantCulture) : "-";

    private static string Base(params string[] parts) => Path.Combine([AppContext.BaseDirectory, .. parts]);
}
