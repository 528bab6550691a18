using System.Diagnostics.Metrics;
using EquipmentTwin.Analytics.Pipeline;
using EquipmentTwin.Analytics.Rul;
using EquipmentTwin.Service.Models;
using EquipmentTwin.Storage.Models;
using Microsoft.Extensions.Logging;

namespace EquipmentTwin.Service.Analytics;

/// <summary>
/// Puts the registry's RUL champions (<c>rul-{modality}-{component}</c>) into the running <see cref="RulEngine"/>:
/// called by the registry service at start and whenever champions may have changed (promote, rollback, the poll),
/// it loads a champion whose version changed and swaps the engine's models under the pipeline lock, without a
/// restart and without losing the devices' daily history. A champion that cannot be loaded is counted and
/// retried at the next call; the models already in use stay.
/// </summary>
public sealed partial class RulModels
{
    private readonly RulEngine _engine;
    private readonly AnalyticsPipeline _pipeline;
    private readonly ModelsInUse _inUse;
    private readonly ILogger<RulModels> _logger;
    private readonly Counter<long> _loadFailures;
    private readonly Dictionary<string, RulComponentModel> _loaded = new(StringComparer.Ordinal);
    private readonly HashSet<string> _unusable = new(StringComparer.Ordinal);
    private long _failures;

    public RulModels(RulEngine engine, AnalyticsPipeline pipeline, ModelsInUse inUse, ILogger<RulModels> logger, IMeterFactory? meters = null)
    {
        _engine = engine;
        _pipeline = pipeline;
        _inUse = inUse;
        _logger = logger;
        var meter = meters?.Create("EquipmentTwin.Analytics") ?? new Meter("EquipmentTwin.Analytics");
        _loadFailures = meter.CreateCounter<long>("equipmenttwin.analytics.rul_load_failures", description: "RUL champions that could not be loaded (retried at the next registry poll)");
    }

    /// <summary>RUL champions that could not be loaded, counted per attempt.</summary>
    public long LoadFailures => Interlocked.Read(ref _failures);

    public IReadOnlyCollection<RulComponentModel> InUse => _loaded.Values;

    /// <summary>Loads changed RUL champions and swaps them into the engine; returns whether the models in use changed.</summary>
    public async Task<bool> ApplyAsync(IModelRegistry registry, CancellationToken ct)
    {
        var champions = (await registry.ListAsync(null, ct).ConfigureAwait(false))
            .Where(r => r.State == ModelState.Champion && r.Kind.StartsWith(RulComponentModel.KindPrefix, StringComparison.Ordinal))
            .ToList();
        var changed = false;
        foreach (var champion in champions)
        {
            if (!RulComponentModel.TryParseKind(champion.Kind, out var modality, out var component))
            {
                // A model fitted on some other file (a pump, a conveyor): kept in the registry, not for these devices.
                if (_unusable.Add(champion.Kind))
                {
                    LogNotForDevices(champion.Kind);
                }

                continue;
            }

            if (_loaded.TryGetValue(champion.Kind, out var have) && have.Version == champion.Version)
            {
                continue;
            }

            try
            {
                var model = RulModel.Load(champion.Artifact ?? throw new RulDataException($"{champion.Key} has no artifact"));
                _loaded[champion.Kind] = new RulComponentModel(champion.Kind, champion.Version, modality, component, model);
                _inUse.Set(champion);
                changed = true;
                LogLoaded(champion.Kind, champion.Version, modality.ToString(), component);
            }
            catch (Exception ex) when (ex is RulDataException or IOException or UnauthorizedAccessException or InvalidOperationException or FormatException)
            {
                _loadFailures.Add(1);
                Interlocked.Increment(ref _failures);
                LogLoadFailed(ex, champion.Kind, champion.Version);
            }
        }

        foreach (var gone in _loaded.Keys.Where(k => champions.All(c => c.Kind != k)).ToList())
        {
            _loaded.Remove(gone);
            changed = true;
        }

        if (changed)
        {
            var models = _loaded.Values.OrderBy(m => m.Kind, StringComparer.Ordinal).ToArray();
            lock (_pipeline)
            {
                _engine.SetModels(models);
            }
        }

        return changed;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "RUL model {Kind} v{Version} is now in use for {Modality} {Component}")]
    private partial void LogLoaded(string kind, int version, string modality, string component);

    [LoggerMessage(Level = LogLevel.Error, Message = "RUL champion {Kind} v{Version} could not be loaded; the models in use stay, retried at the next poll")]
    private partial void LogLoadFailed(Exception ex, string kind, int version);

    [LoggerMessage(Level = LogLevel.Information, Message = "RUL champion {Kind} does not name a modality and component (rul-{{modality}}-{{component}}); the service does not use it")]
    private partial void LogNotForDevices(string kind);
}
