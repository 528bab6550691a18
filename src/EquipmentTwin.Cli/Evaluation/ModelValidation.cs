using System.Text.Json;
using EquipmentTwin.Analytics.Anomaly;
using EquipmentTwin.Cli.Commands;
using EquipmentTwin.Cli.Fleets;
using EquipmentTwin.Cli.Progress;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Evaluation;
using EquipmentTwin.Service.Models;
using EquipmentTwin.Storage.Audit;
using EquipmentTwin.Storage.Models;

namespace EquipmentTwin.Cli.Evaluation;

/// <summary>
/// The validation step of <c>twin train --data-dir --validate-seed</c>: the champions and the new candidates are
/// backtested on the same faulty run of the fleet with a held-out seed (one neither was fitted or calibrated on),
/// the anomaly engine alone scored against the simulator's ground truth, and <see cref="PromotionGate"/> decides
/// for every candidate, recorded in the registry and the audit trail as the operating-system user.
/// </summary>
public static class ModelValidation
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static void Run(TrainSettings s, AnomalyModelSet candidates, string dataDir, int heldOutSeed)
    {
        if (candidates.Models.Count == 0)
        {
            throw new FailureException("no anomaly model was trained (too few healthy days for the baseline and the windows?): nothing to validate");
        }

        var db = Path.Combine(dataDir, "twin.db");
        if (!File.Exists(db))
        {
            // A new store: created as the service would, so that the service can later open it.
            Storage.Sqlite.SqliteTelemetryStore.Open(dataDir).DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        using var registry = new SqliteModelRegistry(db);
        using var audit = SqliteAuditStore.Open(dataDir);
        var champions = new List<AnomalyModel>();
        foreach (var modality in Enum.GetValues<Modality>())
        {
            if (registry.ChampionAsync(ModelKinds.Anomaly(modality), default).GetAwaiter().GetResult() is { Artifact: { } zip } && File.Exists(zip))
            {
                champions.Add(AnomalyModel.Load(zip));
            }
        }

        var days = s.ValidateDays ?? s.Days;
        var heldOut = $"a faulty run of {Path.GetFileNameWithoutExtension(s.Fleet)}, seed {heldOutSeed}, {days:0.#} days";
        var championFigures = champions.Count == 0 ? null : Figures(Backtest(s, heldOutSeed, days, new AnomalyModelSet(champions)), heldOut);
        var candidateFigures = Figures(Backtest(s, heldOutSeed, days, candidates), heldOut);
        if (championFigures is { } c)
        {
            Console.WriteLine(Describe("champion ", c, champions));
        }

        Console.WriteLine(Describe("candidate", candidateFigures, candidates.Models));
        var now = DateTimeOffset.UtcNow;
        var decisions = new List<object>();
        foreach (var model in candidates.Models.OrderBy(m => m.Modality))
        {
            var kind = ModelKinds.Anomaly(model.Modality);
            var zip = Path.GetFullPath(Path.Combine(s.Out, model.Modality.ToWire(), "anomaly", $"v{model.Version}.zip"));
            var record = ModelRegistryService.AnomalyRecord(kind, model.Info, zip, now) with
            {
                Source = $"healthy simulation of {Path.GetFileNameWithoutExtension(s.Fleet)}",
                Seeds = model.Info.TrainingSeeds.Length > 0 ? model.Info.TrainingSeeds : [s.Seed + AnomalyTraining.SeedOffset],
                ChangedBy = Environment.UserName,
            };
            var hasChampion = champions.Any(m => m.Modality == model.Modality);
            var (stored, decision) = PromotionGate.SubmitAsync(registry, audit, record, candidateFigures, hasChampion ? championFigures : null, Environment.UserName, now, default).GetAwaiter().GetResult();
            Console.WriteLine($"{kind} v{model.Version}: {stored.State.ToWire()}: {decision.Reason}");
            decisions.Add(new { kind, version = model.Version, state = stored.State.ToWire(), reason = decision.Reason });
        }

        if (s.Json is { } path)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            File.WriteAllText(path, JsonSerializer.Serialize(new { heldOut, champion = championFigures, candidate = candidateFigures, decisions }, Json));
        }
    }

    private static BacktestReport Backtest(TrainSettings s, int seed, double days, AnomalyModelSet models)
    {
        var setup = new BacktestSetup(s.Fleet, days, seed,
            FleetFiles.ResolveSeedDirectory(s.Fleet, "catalog", s.Catalog), FleetFiles.ResolveSeedDirectory(s.Fleet, "faults", s.Faults),
            FleetFiles.BesideProgram("config", "rules"), FleetFiles.BesideProgram("config", "physics"), AnomalyModels: models);
        using var progress = ConsoleProgress.Start("twin train: validating");
        return EquipmentTwin.Evaluation.Backtest.Run(setup, progress: progress);
    }

    private static HeldOutFigures Figures(BacktestReport report, string heldOut)
    {
        var a = report.Engines["anomaly"];
        return new HeldOutFigures(a.Recall, a.FalseAlarmsPer100DeviceMonths, a.Failures, a.FalseAlarms, heldOut);
    }

    private static string Describe(string who, HeldOutFigures f, IEnumerable<AnomalyModel> models) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{who} ({string.Join(", ", models.OrderBy(m => m.Modality).Select(m => $"{m.Modality.ToWire()} v{m.Version}"))}) on {f.HeldOut}: anomaly recall {f.Recall:0.###} ({f.Failures} failures), {f.FalseAlarmsPer100DeviceMonths:0.###} false alarms per 100 device-months ({f.FalseAlarms})");
}
