using EquipmentTwin.Analytics.Engines;
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
}
