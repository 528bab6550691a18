using System.CommandLine;
using System.Text.Json;
using EquipmentTwin.Cli.Fleets;
using EquipmentTwin.Core.Catalog;
using EquipmentTwin.Service.Models;
using EquipmentTwin.Storage.Audit;
using EquipmentTwin.Storage.Labels;
using EquipmentTwin.Storage.Models;
using EquipmentTwin.Storage.Sqlite;

namespace EquipmentTwin.Cli.Commands;

/// <summary>What <c>twin models retrain</c> was asked for.</summary>
public sealed record ModelsRetrainSettings(string DataDir, string Models, string? Catalog, int Days, string? Json);

/// <summary>
/// <c>twin models retrain</c>: the service's retrain (<c>POST /api/models/retrain</c>) run on a SQLite store from the
/// command line — anomaly candidates fitted on the store's own telemetry and labels, validated against the champions on
/// held-out devices, gated per modality; decisions in the registry and the audit trail as the operating-system user.
/// </summary>
public static class ModelsRetrainCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static Command Create()
    {
        var dataDir = CliOptions.ExistingDirectory("--data-dir", "the store the service uses (default ./data)");
        var models = CliOptions.OutputPath("--models", "the models folder the service loads (Analytics:ModelsDirectory): candidates are saved here (default models)", "DIR");
        var catalog = CliOptions.ExistingDirectory("--catalog", "signal catalogs folder (default seeds/catalog beside the program)");
        var days = CliOptions.OptionalInt("--days", "days of each device's stored log, up to its newest record, to read (default 120)", min: 8, max: 3650);
        var json = SharedOptions.JsonFile("the decisions and held-out figures");
        var command = new Command("retrain", "Train anomaly candidates on the store's own telemetry and labels, validate each against its champion on held-out devices and promote per modality only what is at least as good (docs/models.md).")
        {
            dataDir, models, catalog, days, json,
        };
        command.SetAction((p, ct) => RunAsync(new ModelsRetrainSettings(p.GetValue(dataDir) ?? "data", p.GetValue(models) ?? "models", p.GetValue(catalog), p.GetValue(days) ?? 120, p.GetValue(json)),
            p.InvocationConfiguration.Output, ct));
        return command;
    }

    public static async Task<int> RunAsync(ModelsRetrainSettings s, TextWriter output, CancellationToken ct)
    {
        var db = Path.Combine(s.DataDir, "twin.db");
        if (!File.Exists(db))
        {
            throw new FailureException($"{db} does not exist: start the service on this folder once (twin serve --data-dir {s.DataDir})");
        }

        var catalog = SignalCatalog.LoadDirectory(s.Catalog ?? FleetFiles.BesideProgram("seeds", "catalog"));
        await using var store = SqliteTelemetryStore.Open(s.DataDir);
        using var labels = new SqliteLabelStore(db);
        using var registry = new SqliteModelRegistry(db);
        using var audit = SqliteAuditStore.Open(s.DataDir);
        var retrainer = ModelRetrainer.ForStore(store, labels, registry, audit, catalog, Path.GetFullPath(s.Models), s.Days, TimeProvider.System);
        var results = await retrainer.RetrainAsync(Environment.UserName, ct);
        foreach (var r in results)
        {
            await output.WriteLineAsync($"{r.Kind}: {r.State}{(r.Version is { } v ? $" v{v}" : "")}: {r.Reason}");
        }

        if (results.Count == 0)
        {
            await output.WriteLineAsync("no device with a nameplate and data in the store: nothing to train");
        }

        if (s.Json is { } path)
        {
            await File.WriteAllTextAsync(OutputFiles.Prepare(path), JsonSerializer.Serialize(new { results }, Json), ct);
        }

        return ExitCodes.Ok;
    }
}
