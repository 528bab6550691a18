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
        var modalities = FleetFiles.Load(s.Fleet, s.Faults, s.Catalog).Fleet.Devices.ToDictionary(d => d.Id, d => d.Modality, StringComparer.Ordinal);
        var championFigures = champions.Count == 0 ? null : PerModality(Backtest(s, heldOutSeed, days, new AnomalyModelSet(champions)), modalities, heldOut);
        var candidateFigures = PerModality(Backtest(s, heldOutSeed, days, candidates), modalities, heldOut);
        foreach (var (modality, f) in candidateFigures.OrderBy(kv => kv.Key))
        {
            if (championFigures?.GetValueOrDefault(modality) is { } c)
            {
                Console.WriteLine(Describe("champion ", c, champions.Where(m => m.Modality == modality)));
            }

            Console.WriteLine(Describe("candidate", f, candidates.Models.Where(m => m.Modality == modality)));
        }

        var now = DateTimeOffset.UtcNow;
        var records = candidates.Models.OrderBy(m => m.Modality).Select(model => ModelRegistryService.AnomalyRecord(ModelKinds.Anomaly(model.Modality), model.Info,
            Path.GetFullPath(Path.Combine(s.Out, model.Modality.ToWire(), "anomaly", $"v{model.Version}.zip")), now) with
        {
            Source = s.FeedbackSeed is { } fb ? $"healthy simulation of {Path.GetFileNameWithoutExtension(s.Fleet)} and the labelled run of seed {fb} ({s.FeedbackSummary})" : $"healthy simulation of {Path.GetFileNameWithoutExtension(s.Fleet)}",
            Seeds = model.Info.TrainingSeeds.Length > 0 ? model.Info.TrainingSeeds : [s.Seed + AnomalyTraining.SeedOffset],
            ChangedBy = Environment.UserName,
        }).ToList();
        var decided = PromotionGate.SubmitPerModalityAsync(registry, audit, records, candidateFigures, championFigures, Environment.UserName, now, default).GetAwaiter().GetResult();
        var decisions = new List<object>();
        foreach (var (stored, decision) in decided)
        {
            Console.WriteLine($"{stored.Kind} v{stored.Version}: {stored.State.ToWire()}: {decision.Reason}");
            decisions.Add(new { kind = stored.Kind, version = stored.Version, state = stored.State.ToWire(), reason = decision.Reason });
        }

        if (s.Json is { } path)
        {
            File.WriteAllText(OutputFiles.Prepare(path), JsonSerializer.Serialize(new
            {
                heldOut,
                champion = championFigures?.ToDictionary(kv => kv.Key.ToWire(), kv => kv.Value),
                candidate = candidateFigures.ToDictionary(kv => kv.Key.ToWire(), kv => kv.Value),
                decisions,
            }, Json));
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

    /// <summary>
    /// The anomaly engine's figures per modality on one backtest: failures of that modality's devices it foresaw, and its
    /// false alarms on them per 100 of their device-months (every device runs the whole backtest).
    /// </summary>
    public static IReadOnlyDictionary<Modality, HeldOutFigures> PerModality(BacktestReport report, IReadOnlyDictionary<string, Modality> modalities, string heldOut)
    {
        var result = new Dictionary<Modality, HeldOutFigures>();
        foreach (var group in modalities.GroupBy(kv => kv.Value))
        {
            var devices = group.Select(kv => kv.Key).ToHashSet(StringComparer.Ordinal);
            var months = report.Devices == 0 ? 0 : report.DeviceMonths * devices.Count / report.Devices;
            var failed = report.Faults.Where(f => f.Kind == "machine" && f.Failure is not null && devices.Contains(f.Device)).ToList();
            var foreseen = failed.Count(f => f.LeadTimeDays.GetValueOrDefault("anomaly") is not null);
            var falseAlarms = report.FalseAlarms.Count(f => f.View == "anomaly" && devices.Contains(f.Device));
            result[group.Key] = new HeldOutFigures(
                failed.Count == 0 ? 0 : Math.Round((double)foreseen / failed.Count, 4),
                months <= 0 ? 0 : Math.Round(falseAlarms * 100 / months, 3),
                failed.Count, falseAlarms, $"{heldOut}, its {group.Count()} {group.Key.ToWire()} devices");
        }

        return result;
    }

    private static string Describe(string who, HeldOutFigures f, IEnumerable<AnomalyModel> models) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{who} ({string.Join(", ", models.OrderBy(m => m.Modality).Select(m => $"{m.Modality.ToWire()} v{m.Version}"))}) on {f.HeldOut}: anomaly recall {f.Recall:0.###} ({f.Failures} failures), {f.FalseAlarmsPer100DeviceMonths:0.###} false alarms per 100 device-months ({f.FalseAlarms})");
}
