using EquipmentTwin.Analytics.Engines;
using EquipmentTwin.Analytics.History;
using EquipmentTwin.Core.Catalog;

namespace EquipmentTwin.Analytics.Knowledge;

/// <summary>The deductive knowledge engine: device knowledge written as rules in config, evaluated in event time per device.</summary>
public sealed class RuleEngine(RuleSet rules) : IAnalyticsEngine
{
    public RuleSet Rules { get; } = rules;

    public EngineKind Kind => EngineKind.Rules;

    /// <summary>Loads <c>{directory}/{modality}.json</c> against <paramref name="catalog"/>; see <see cref="RuleLoader"/>.</summary>
    public static RuleEngine Load(string directory, SignalCatalog catalog) => new(RuleLoader.LoadDirectory(directory, catalog));

    public IDeviceEngine CreateDevice(DeviceContext context) => new RuleDeviceEngine(Rules.For(context.Modality), context);

    /// <summary>
    /// Rate rules read their window of hourly means; baseline rules learn from a fixed start and may look back as far
    /// as the history keeps. Thresholds, event counts and while-conditions read closed buckets and latest values only.
    /// </summary>
    public HistoryNeeds NeedsOf(DeviceContext context)
    {
        var needs = new HistoryNeeds();
        foreach (var rule in Rules.For(context.Modality))
        {
            switch (rule)
            {
                case RateRule r:
                    needs.Hourly(r.Signal, r.WindowMs / (double)DeviceHistory.HourMs);
                    break;
                case BaselineDeviationRule b:
                    needs.Hourly(b.Signal, DeviceHistory.HourCapacity);
                    if (b.Minus is { } reference)
                    {
                        needs.Hourly(reference, DeviceHistory.HourCapacity); // subtracted hour by hour, baseline included
                    }

                    break;
            }
        }

        return needs;
    }
}
