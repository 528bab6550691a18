using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using EquipmentTwin.Service.Api;
using EquipmentTwin.Service.Models;
using EquipmentTwin.Storage.Audit;
using EquipmentTwin.Storage.Models;

namespace EquipmentTwin.Cli.Commands;

/// <summary>Options of <c>twin models</c>: the store's folder, and for show/promote/rollback the model and the reason.</summary>
public sealed record ModelsOptions(string DataDir, string? Kind, int? Version, string? Reason, string? Json);

/// <summary>
/// <c>twin models list|show|promote|rollback</c> on the registry in a store's metadata database. Promotion and
/// rollback are written to the audit trail with the operating-system user and the reason; a running service
/// on the same store picks the new champion up within <c>Analytics:ModelPollSeconds</c>.
/// </summary>
public static class ModelsCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static Command Create()
    {
        var list = new Command("list", "Every model version with its state, figures and why.");
        var listDir = DataDir();
        var kindFilter = CliOptions.Text("--kind", "only this kind (anomaly-mri, rules, physics, ...)");
        var listJson = SharedOptions.JsonFile("the list");
        list.Options.Add(listDir);
        list.Options.Add(kindFilter);
        list.Options.Add(listJson);
        list.SetAction(p => List(new ModelsOptions(p.GetValue(listDir) ?? "data", p.GetValue(kindFilter), null, null, p.GetValue(listJson)), p.InvocationConfiguration.Output));

        var show = new Command("show", "One version: provenance, validation figures, state and reason, and the kind's audit trail.");
        var showDir = DataDir();
        var showKind = KindArgument();
        var showVersion = VersionArgument();
        var showJson = SharedOptions.JsonFile("the model");
        show.Arguments.Add(showKind);
        show.Arguments.Add(showVersion);
        show.Options.Add(showDir);
        show.Options.Add(showJson);
        show.SetAction((p, ct) => ShowAsync(new ModelsOptions(p.GetValue(showDir) ?? "data", p.GetValue(showKind), p.GetValue(showVersion), null, p.GetValue(showJson)), p.InvocationConfiguration.Output, ct));

        var promote = new Command("promote", "Make a version the champion of its kind (overrules the validation gate; audited).");
        var promoteDir = DataDir();
        var promoteKind = KindArgument();
        var promoteVersion = VersionArgument();
        var promoteReason = Reason();
        promote.Arguments.Add(promoteKind);
        promote.Arguments.Add(promoteVersion);
        promote.Options.Add(promoteDir);
        promote.Options.Add(promoteReason);
        promote.SetAction((p, ct) => PromoteAsync(new ModelsOptions(p.GetValue(promoteDir) ?? "data", p.GetValue(promoteKind), p.GetValue(promoteVersion), p.GetValue(promoteReason), null), p.InvocationConfiguration.Output, ct));

        var rollback = new Command("rollback", "Return a kind to its previous champion (audited).");
        var rollbackDir = DataDir();
        var rollbackKind = KindArgument();
        var rollbackReason = Reason();
        rollback.Arguments.Add(rollbackKind);
        rollback.Options.Add(rollbackDir);
        rollback.Options.Add(rollbackReason);
        rollback.SetAction((p, ct) => RollbackAsync(new ModelsOptions(p.GetValue(rollbackDir) ?? "data", p.GetValue(rollbackKind), null, p.GetValue(rollbackReason), null), p.InvocationConfiguration.Output, ct));

        return new Command("models", "The model registry: versions, what they were trained on, validation figures, champion (docs/models.md).") { list, show, promote, rollback, ModelsRetrainCommand.Create() };
    }

    private static Option<string> DataDir() => CliOptions.ExistingDirectory("--data-dir", "the store the service uses (default ./data)");

    private static Argument<string> KindArgument() => new("kind") { Description = "anomaly-mri, anomaly-ct, anomaly-xray, rules, physics, ..." };

    private static Argument<int> VersionArgument() => new("version") { Description = "the version number" };

    private static Option<string> Reason()
    {
        var reason = CliOptions.Text("--reason", "why (kept in the registry and the audit trail)");
        reason.Required = true;
        CliOptions.Check(reason, r => r is not null && string.IsNullOrWhiteSpace(r) ? "--reason must say why" : null);
        return reason;
    }

    public static async Task<int> List(ModelsOptions o, TextWriter output)
    {
        using var registry = Open(o.DataDir);
        var models = await registry.ListAsync(o.Kind, CancellationToken.None);
        var inUse = Champions(models);
        foreach (var m in models)
        {
            var figures = string.Join(", ", m.Validation.Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key} {kv.Value:0.####}")));
            await output.WriteLineAsync($"{m.Kind,-14} v{m.Version,-4} {m.State.ToWire(),-9} {m.Reason}" + (figures.Length > 0 ? $"  [{figures}]" : ""));
        }

        WriteJson(o.Json, new { count = models.Count, models = models.Select(m => ModelEndpoints.ToDto(m, inUse)) });
        return 0;
    }

    public static async Task<int> ShowAsync(ModelsOptions o, TextWriter output, CancellationToken ct)
    {
        using var registry = Open(o.DataDir);
        var m = await registry.FindAsync(o.Kind!, o.Version!.Value, ct) ?? throw new FailureException($"model {o.Kind}/{o.Version} is not known in {o.DataDir}");
        var dto = ModelEndpoints.ToDto(m, Champions(await registry.ListAsync(m.Kind, ct)));
        await output.WriteLineAsync($"{m.Kind} v{m.Version}: {m.State.ToWire()} ({m.Reason}; {m.ChangedBy}, {dto.ChangedAt})");
        await output.WriteLineAsync($"trained on    {m.Source}" + (dto.TrainedFrom is { } f ? $", {f} to {dto.TrainedTo}" : "") + (m.Seeds.Length > 0 ? $", seeds {string.Join(' ', m.Seeds)}" : ""));
        foreach (var (name, value) in m.Validation)
        {
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"validation    {name} {value:0.####}"));
        }

        if (m.Artifact is { } a)
        {
            await output.WriteLineAsync($"artifact      {a}");
        }

        using var audit = SqliteAuditStore.Open(o.DataDir);
        foreach (var e in await audit.HistoryAsync("model/" + m.Kind, ct))
        {
            await output.WriteLineAsync($"history       {e.WallTime:yyyy-MM-dd HH:mm:ss}Z {e.Actor} {e.Action} {e.FromState ?? "-"} → {e.ToState}: {e.Comment}");
        }

        WriteJson(o.Json, dto);
        return 0;
    }

    public static async Task<int> PromoteAsync(ModelsOptions o, TextWriter output, CancellationToken ct)
    {
        using var registry = Open(o.DataDir);
        using var audit = SqliteAuditStore.Open(o.DataDir);
        var before = await registry.ChampionAsync(o.Kind!, ct);
        var now = DateTimeOffset.UtcNow;
        var promoted = await Change(() => registry.PromoteAsync(o.Kind!, o.Version!.Value, Environment.UserName, o.Reason!, now, ct));
        await audit.AppendAsync([ModelRegistryService.AuditOf(o.Kind!, Environment.UserName, now, "promoted", before, promoted, o.Reason!)], ct);
        await output.WriteLineAsync($"{promoted.Kind} v{promoted.Version} is champion" + (before is null ? "" : $"; v{before.Version} retired") + $" (by {Environment.UserName}: {o.Reason})");
        return 0;
    }

    public static async Task<int> RollbackAsync(ModelsOptions o, TextWriter output, CancellationToken ct)
    {
        using var registry = Open(o.DataDir);
        using var audit = SqliteAuditStore.Open(o.DataDir);
        var now = DateTimeOffset.UtcNow;
        var result = await Change(() => registry.RollbackAsync(o.Kind!, Environment.UserName, o.Reason!, now, ct))
                     ?? throw new FailureException($"{o.Kind} has no earlier champion to return to");
        await audit.AppendAsync([ModelRegistryService.AuditOf(o.Kind!, Environment.UserName, now, "rolled-back", result.Retired, result.Restored, o.Reason!)], ct);
        await output.WriteLineAsync($"{o.Kind} v{result.Restored.Version} is champion again; v{result.Retired.Version} retired (by {Environment.UserName}: {o.Reason})");
        return 0;
    }

    private static async Task<T> Change<T>(Func<Task<T>> change)
    {
        try
        {
            return await change();
        }
        catch (ModelRegistryException ex)
        {
            throw new FailureException(ex.Message);
        }
    }

    private static SqliteModelRegistry Open(string dataDir)
    {
        var db = Path.Combine(dataDir, "twin.db");
        if (!File.Exists(db))
        {
            throw new FailureException($"{db} does not exist: start the service on this folder once (twin serve --data-dir {dataDir})");
        }

        return new SqliteModelRegistry(db);
    }

    private static ModelsInUse Champions(IEnumerable<ModelRecord> models)
    {
        var inUse = new ModelsInUse();
        foreach (var m in models.Where(m => m.State == ModelState.Champion))
        {
            inUse.Set(m);
        }

        return inUse;
    }

    private static void WriteJson(string? path, object value)
    {
        if (path is null)
        {
            return;
        }

        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null)
        {
            Directory.CreateDirectory(dir);
        }

        File.WriteAllText(path, JsonSerializer.Serialize(value, Json));
    }
}
