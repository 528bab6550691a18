using System.Globalization;
using System.Security.Cryptography;
using EquipmentTwin.Analytics.Anomaly;
using EquipmentTwin.Analytics.Pipeline;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Service.Analytics;
using EquipmentTwin.Storage.Audit;
using EquipmentTwin.Storage.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EquipmentTwin.Service.Models;

/// <summary>
/// Keeps the registry and the running analytics in agreement. At start (before analytics replays) it
/// registers the models it finds (anomaly models under <c>Analytics:ModelsDirectory</c>, the rule and physics
/// configuration by content hash), makes the highest saved version champion of a kind that has none, and loads
/// the champions into the pipeline. Afterwards it applies promotions and rollbacks, its own and those made
/// with <c>twin models</c> on the same store (polled), swapping the model in without a restart.
/// </summary>
public sealed partial class ModelRegistryService : BackgroundService
{
    /// <summary>The audit trail's device for fleet-wide entries such as model changes.</summary>
    public const string FleetDevice = "fleet";

    private readonly IModelRegistry _registry;
    private readonly IAuditStore _audit;
    private readonly AnalyticsPipeline _pipeline;
    private readonly SwappableEngine _anomaly;
    private readonly ModelsInUse _inUse;
    private readonly AnalyticsOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ModelRegistryService> _logger;
    private readonly SemaphoreSlim _applyLock = new(1, 1);
    private readonly Dictionary<Modality, AnomalyModel> _loaded = new();
    private readonly RulModels? _rul;

    public ModelRegistryService(IModelRegistry registry, IAuditStore audit, AnalyticsPipeline pipeline, [FromKeyedServices(ModelKinds.AnomalyPrefix)] SwappableEngine anomaly,
        ModelsInUse inUse, IOptions<AnalyticsOptions> options, TimeProvider time, ILogger<ModelRegistryService> logger, RulModels? rul = null)
    {
        _rul = rul;
        _registry = registry;
        _audit = audit;
        _pipeline = pipeline;
        _anomaly = anomaly;
        _inUse = inUse;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    public IModelRegistry Registry => _registry;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await SyncAsync(cancellationToken).ConfigureAwait(false);
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(_options.ModelPollSeconds), _time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await ApplyChampionsAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogApplyFailed(ex);
            }
        }
    }

    /// <summary>Makes <paramref name="version"/> champion of <paramref name="kind"/>, audits it, and swaps it into the running analytics.</summary>
    public async Task<ModelRecord> PromoteAsync(string kind, int version, string actor, string reason, CancellationToken ct)
    {
        var before = await _registry.ChampionAsync(kind, ct).ConfigureAwait(false);
        var promoted = await _registry.PromoteAsync(kind, version, actor, reason, _time.GetUtcNow(), ct).ConfigureAwait(false);
        await AuditAsync(kind, actor, "promoted", before, promoted, reason, ct).ConfigureAwait(false);
        await ApplyChampionsAsync(ct).ConfigureAwait(false);
        return promoted;
    }

    /// <summary>Registers a validated candidate and applies <see cref="PromotionGate"/>; a promoted one is swapped into the running analytics.</summary>
    public async Task<(ModelRecord Record, GateDecision Decision)> SubmitAsync(ModelRecord candidate, HeldOutFigures figures, HeldOutFigures? championFigures, string actor, CancellationToken ct)
    {
        var result = await PromotionGate.SubmitAsync(_registry, _audit, candidate, figures, championFigures, actor, _time.GetUtcNow(), ct).ConfigureAwait(false);
        if (result.Decision.Promote)
        {
            await ApplyChampionsAsync(ct).ConfigureAwait(false);
        }

        return result;
    }

    /// <summary>Returns <paramref name="kind"/> to its previous champion; null when there is none.</summary>
    public async Task<(ModelRecord Retired, ModelRecord Restored)?> RollbackAsync(string kind, string actor, string reason, CancellationToken ct)
    {
        var result = await _registry.RollbackAsync(kind, actor, reason, _time.GetUtcNow(), ct).ConfigureAwait(false);
        if (result is { } r)
        {
            await AuditAsync(kind, actor, "rolled-back", r.Retired, r.Restored, reason, ct).ConfigureAwait(false);
            await ApplyChampionsAsync(ct).ConfigureAwait(false);
        }

        return result;
    }

    /// <summary>The audit entry of a model change: the trail's subject is <c>model/{kind}</c>, from and to are versions.</summary>
    public static AuditEntry AuditOf(string kind, string actor, DateTimeOffset now, string action, ModelRecord? from, ModelRecord to, string reason) =>
        new(0, "model/" + kind, FleetDevice, actor, now, now.ToUnixTimeMilliseconds(), action, from is null ? null : "v" + from.Version, "v" + to.Version, reason);

    private Task AuditAsync(string kind, string actor, string action, ModelRecord? from, ModelRecord to, string reason, CancellationToken ct) =>
        _audit.AppendAsync([AuditOf(kind, actor, _time.GetUtcNow(), action, from, to, reason)], ct);

    private async Task SyncAsync(CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        var dir = _options.Resolve(_options.ModelsDirectory, "models");
        foreach (var modality in Enum.GetValues<Modality>())
        {
            var kind = ModelKinds.Anomaly(modality);
            foreach (var (version, zip) in AnomalyVersions(dir, modality))
            {
                if (await _registry.FindAsync(kind, version, ct).ConfigureAwait(false) is null)
                {
                    var info = AnomalyModel.Load(zip).Info;
                    await _registry.RegisterAsync(AnomalyRecord(kind, info, zip, now), ct).ConfigureAwait(false);
                }
            }

            await EnsureChampionAsync(kind, ct).ConfigureAwait(false);
        }

        await SyncConfigurationAsync(ModelKinds.Rules, _options.Resolve(_options.RulesDirectory, "config", "rules"), now, ct).ConfigureAwait(false);
        await SyncConfigurationAsync(ModelKinds.Physics, _options.Resolve(_options.PhysicsDirectory, "config", "physics"), now, ct).ConfigureAwait(false);
        await ApplyChampionsAsync(ct).ConfigureAwait(false);
    }

    /// <summary>The registry entry of a saved anomaly model: what it was trained on and its validation figures.</summary>
    public static ModelRecord AnomalyRecord(string kind, AnomalyModelInfo info, string zip, DateTimeOffset now) => new()
    {
        Kind = kind,
        Version = info.Version,
        Reason = "saved model found at start",
        Source = info.TrainingSeeds.Length > 0 ? "simulated healthy fleet" : "training rows",
        TrainedFromMs = info.TrainedFromMs,
        TrainedToMs = info.TrainedToMs,
        Seeds = info.TrainingSeeds,
        Validation = new Dictionary<string, double>
        {
            ["heldOutRows"] = info.Validation.Rows,
            ["windowFalsePositiveRate"] = info.Validation.FalsePositiveRate,
            ["persistentAlarmWindows"] = info.Validation.PersistentAlarmWindows,
            ["threshold"] = info.Threshold,
        },
        Artifact = zip,
        CreatedAt = now,
        ChangedAt = now,
        ChangedBy = "system",
    };

    private async Task EnsureChampionAsync(string kind, CancellationToken ct)
    {
        if (await _registry.ChampionAsync(kind, ct).ConfigureAwait(false) is not null)
        {
            return;
        }

        var highest = (await _registry.ListAsync(kind, ct).ConfigureAwait(false)).FirstOrDefault(r => r.State == ModelState.Candidate);
        if (highest is not null)
        {
            await PromoteAsync(kind, highest.Version, "system", "highest saved version; no champion was recorded", ct).ConfigureAwait(false);
        }
    }

    private async Task SyncConfigurationAsync(string kind, string directory, DateTimeOffset now, CancellationToken ct)
    {
        var source = $"{directory} (sha256 {ContentHash(directory)})";
        var champion = await _registry.ChampionAsync(kind, ct).ConfigureAwait(false);
        if (champion?.Source == source)
        {
            return;
        }

        var version = (await _registry.ListAsync(kind, ct).ConfigureAwait(false)).Select(r => r.Version).DefaultIfEmpty(0).Max() + 1;
        var reason = champion is null ? "configuration in use at start" : "the configuration in use changed";
        await _registry.RegisterAsync(new ModelRecord
        {
            Kind = kind,
            Version = version,
            Reason = reason,
            Source = source,
            Artifact = directory,
            CreatedAt = now,
            ChangedAt = now,
            ChangedBy = "system",
        }, ct).ConfigureAwait(false);
        await PromoteAsync(kind, version, "system", reason, ct).ConfigureAwait(false);
    }

    /// <summary>Loads the anomaly champions that changed since the last look and swaps them into the pipeline.</summary>
    private async Task ApplyChampionsAsync(CancellationToken ct)
    {
        await _applyLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var changed = new List<Modality>();
            foreach (var modality in Enum.GetValues<Modality>())
            {
                var kind = ModelKinds.Anomaly(modality);
                var champion = await _registry.ChampionAsync(kind, ct).ConfigureAwait(false);
                var have = _loaded.GetValueOrDefault(modality);
                if (champion?.Artifact is { } zip && (have is null || have.Version != champion.Version))
                {
                    _loaded[modality] = AnomalyModel.Load(zip);
                    changed.Add(modality);
                }

                if (champion is not null)
                {
                    _inUse.Set(champion);
                }
            }

            foreach (var kind in new[] { ModelKinds.Rules, ModelKinds.Physics })
            {
                if (await _registry.ChampionAsync(kind, ct).ConfigureAwait(false) is { } champion)
                {
                    _inUse.Set(champion);
                }
            }

            if (changed.Count > 0)
            {
                var engine = new AnomalyEngine(new AnomalyModelSet(_loaded.Values));
                lock (_pipeline)
                {
                    _anomaly.Swap(engine, d => changed.Contains(d.Modality));
                }

                foreach (var m in changed)
                {
                    LogSwapped(ModelKinds.Anomaly(m), _loaded[m].Version);
                }
            }

            if (_rul is not null)
            {
                await _rul.ApplyAsync(_registry, ct).ConfigureAwait(false);
            }
        }
        finally
        {
            _applyLock.Release();
        }
    }

    private static IEnumerable<(int Version, string Zip)> AnomalyVersions(string directory, Modality modality)
    {
        var folder = Path.Combine(directory, modality.ToWire(), "anomaly");
        if (!Directory.Exists(folder))
        {
            yield break;
        }

        foreach (var zip in Directory.EnumerateFiles(folder, "v*.zip").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileNameWithoutExtension(zip);
            if (int.TryParse(name.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var v) && File.Exists(Path.ChangeExtension(zip, ".json")))
            {
                yield return (v, zip);
            }
        }
    }

    /// <summary>SHA-256 over the folder's file names and contents (sorted), first 12 hex digits; "none" when it is missing.</summary>
    public static string ContentHash(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return "none";
        }

        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            sha.AppendData(System.Text.Encoding.UTF8.GetBytes(Path.GetRelativePath(directory, file) + "\n"));
            sha.AppendData(File.ReadAllBytes(file));
        }

        return Convert.ToHexStringLower(sha.GetHashAndReset())[..12];
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Kind} v{Version} is now in use")]
    private partial void LogSwapped(string kind, int version);

    [LoggerMessage(Level = LogLevel.Error, Message = "Applying the registry's champions failed; the models in use stay as they are")]
    private partial void LogApplyFailed(Exception ex);
}
