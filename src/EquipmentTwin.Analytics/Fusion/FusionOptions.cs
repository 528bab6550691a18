using EquipmentTwin.Analytics.Engines;
using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Analytics.Fusion;

/// <summary>
/// How evidence is weighed into alerts. Components that fail together (a cold head and the helium it
/// keeps) form a group: one alert per device and group, named after its most specific component.
/// </summary>
public sealed record FusionOptions
{
    /// <summary>Weight of each engine's confidence in the noisy-OR.</summary>
    public IReadOnlyDictionary<EngineKind, double> Weights { get; init; } = new Dictionary<EngineKind, double>
    {
        [EngineKind.Rules] = 1.0,
        [EngineKind.Physics] = 1.0,
        [EngineKind.Anomaly] = 0.8,
    };

    /// <summary>
    /// Components the anomaly engine may point at that are not equipment to maintain: the room (ambient,
    /// handled by rules on its own limits), the host computer and "device" (a device-wide change of event
    /// rates). Such anomaly evidence is reported with the twin but opens no maintenance alert.
    /// </summary>
    public IReadOnlySet<string> AnomalyContextComponents { get; init; } = new HashSet<string>(StringComparer.Ordinal) { "room", "host", "device" };

    /// <summary>
    /// Anomaly evidence counts only once it has persisted this long (event time): learned models see
    /// passing oddities that physics and rules explain away, and a slow fault lasts far longer.
    /// </summary>
    public TimeSpan AnomalyMinAge { get; init; } = TimeSpan.FromDays(7);

    /// <summary>
    /// Whether anomaly evidence alone may open an alert (after <see cref="AnomalyMinAge"/>, never on context
    /// components). On by default since the masked-window scoring was fixed: on validation seeds 301 and 302
    /// (reference fleet, 270 days, 585 device-months each) the engine alone raised 0.17 and 0.34 false alarms per
    /// 100 device-months and foresaw the compressor drift no rule names (2 of 2 on each seed) and a CT tube-cooling
    /// fault that rules and physics missed (docs/models.md). Off makes it corroborate rules and physics only.
    /// </summary>
    public bool AnomalyMayOpenAlone { get; init; } = true;

    /// <summary>Fused confidence at which an alert opens.</summary>
    public double OpenThreshold { get; init; } = 0.5;

    /// <summary>An open alert with no evidence at all for this long (event time) resolves itself as cleared.</summary>
    public TimeSpan ClearAfter { get; init; } = TimeSpan.FromHours(72);

    /// <summary>Change in fused confidence that counts as an update worth publishing.</summary>
    public double ConfidenceStep { get; init; } = 0.1;

    /// <summary>How much stronger (weighted confidence) another component's evidence must be before an open alert moves to it.</summary>
    public double ComponentSwitchMargin { get; init; } = 0.2;

    /// <summary>Relative move of the forecast P50 (as share of the time left) that counts as an update.</summary>
    public double ForecastStep { get; init; } = 0.2;

    /// <summary>Component groups per modality; a component in no group is a group of its own.</summary>
    public IReadOnlyDictionary<Modality, IReadOnlyList<IReadOnlyList<string>>> Groups { get; init; } = DefaultGroups;

    public static IReadOnlyDictionary<Modality, IReadOnlyList<IReadOnlyList<string>>> DefaultGroups { get; } = new Dictionary<Modality, IReadOnlyList<IReadOnlyList<string>>>
    {
        // Helium is kept by the cold head, driven by the compressor, cooled by the water loop: a failure
        // anywhere shows first as temperatures and pressures, then as boil-off in the cryostat.
        [Modality.Mri] = [["cold_head", "cryostat", "compressor", "water_loop", "magnet"]],
        // The insert, its cathode and anode bearing and the oil cooling are one replaceable tube.
        [Modality.Ct] = [["tube_insert", "cathode", "anode_bearing", "tube_cooling"]],
        [Modality.Xray] = [["tube", "cathode"]],
    };

    public string GroupOf(Modality modality, string component)
    {
        if (Groups.TryGetValue(modality, out var groups))
        {
            foreach (var g in groups)
            {
                if (g.Contains(component))
                {
                    return g[0];
                }
            }
        }

        return component;
    }

    /// <summary>All components of the group named <paramref name="group"/>.</summary>
    public IReadOnlyList<string> Members(Modality modality, string group)
    {
        if (Groups.TryGetValue(modality, out var groups))
        {
            foreach (var g in groups)
            {
                if (g[0] == group)
                {
                    return g;
                }
            }
        }

        return [group];
    }
}
