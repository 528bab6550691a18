using EquipmentTwin.Analytics.Anomaly;
using EquipmentTwin.Analytics.Engines;
using EquipmentTwin.Analytics.History;
using EquipmentTwin.Analytics.Knowledge;
using EquipmentTwin.Analytics.Physics;
using EquipmentTwin.Analytics.Pipeline;
using EquipmentTwin.Core.Catalog;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Testing;

namespace EquipmentTwin.Analytics.Tests.History;

public class HistoryNeedsTests
{
    private static readonly SignalCatalog Catalog = SignalCatalog.LoadDirectory(RepoPaths.Catalog);
    private static readonly long T0 = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    private static IAnalyticsEngine[] ShippedEngines() =>
    [
        RuleEngine.Load(Path.Combine(RepoPaths.Root, "config", "rules"), Catalog),
        new PhysicsEngine(PhysicsConfigLoader.LoadDirectory(Path.Combine(RepoPaths.Root, "config", "physics"), Catalog)),
        new AnomalyEngine(AnomalyModelSet.Empty),
    ];

    [Theory]
    [InlineData(Modality.Mri)]
    [InlineData(Modality.Ct)]
    [InlineData(Modality.Xray)]
    public void Each_signal_keeps_the_longest_window_an_engine_reads_and_no_more(Modality modality)
    {
        var catalog = Catalog[modality];
        var engines = ShippedEngines();
        var rules = ((RuleEngine)engines[0]).Rules.For(modality);
        var physics = ((PhysicsEngine)engines[1]).Config.For(modality);
        int Hours(double h) => (int)Math.Min(DeviceHistory.HourCapacity, h + HistoryNeeds.MarginHours + 1);
        var expected = catalog.Signals.Values.ToDictionary(s => s.Name, s => s.Cumulative ? Hours(6) : Hours(24));
        foreach (var r in rules.OfType<RateRule>())
        {
            expected[r.Signal] = Math.Max(expected[r.Signal], Hours(r.WindowMs / (double)DeviceHistory.HourMs));
        }

        foreach (var signal in rules.OfType<BaselineDeviationRule>().SelectMany(b => (string?[])[b.Signal, b.Minus]).OfType<string>().Concat(physics.Select(m => m.Signal).OfType<string>()).Concat(physics.Select(m => m.Clock?.Signal).OfType<string>()))
        {
            expected[signal] = DeviceHistory.HourCapacity;
        }

        var device = new DeviceAnalytics(new DeviceContext("d1", "s", modality, catalog), engines);
        device.Process([.. expected.Keys.Select(name => LogRecord.Param(T0, name, 1)), LogRecord.Param(T0, "not_in_the_catalog", 1)]);

        Assert.Equal(expected, expected.Keys.ToDictionary(n => n, n => device.History.Hourly(n)!.Capacity));
        Assert.All(catalog.Signals.Values.Where(s => !s.Cumulative), s => Assert.Equal((6 + HistoryNeeds.MarginHours) * 12 + 1, device.History.FiveMinute(s.Name)!.Capacity));
        Assert.Contains(expected.Values, c => c < DeviceHistory.HourCapacity / 10);
        Assert.Equal(HistoryNeeds.UndeclaredPoints, device.History.Hourly("not_in_the_catalog")!.Capacity);
        Assert.Equal(1, device.History.LastValue("not_in_the_catalog"));
    }

    [Fact]
    public void An_engine_that_does_not_say_what_it_reads_keeps_everything()
    {
        var mri = Catalog[Modality.Mri];
        var device = new DeviceAnalytics(new DeviceContext("mri01", "s", Modality.Mri, mri), [.. ShippedEngines(), new KeepEverything(new AnomalyEngine(AnomalyModelSet.Empty))]);
        device.Process([LogRecord.Param(T0, "not_in_the_catalog", 1)]);

        Assert.True(device.History.Needs.IsEverything);
        Assert.Equal(DeviceHistory.HourCapacity, device.History.Hourly("not_in_the_catalog")!.Capacity);
        Assert.Equal(DeviceHistory.BucketCapacity, device.History.FiveMinute("not_in_the_catalog")!.Capacity);
    }

    [Fact]
    public void Every_engine_of_the_project_says_what_it_reads()
    {
        // An engine that keeps the interface's default makes every device keep every window (about 6× the memory):
        // a new engine must declare its needs (an empty HistoryNeeds when it reads none of the windows).
        var engines = typeof(IAnalyticsEngine).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IAnalyticsEngine).IsAssignableFrom(t)).ToList();
        var needsOf = typeof(IAnalyticsEngine).GetMethod(nameof(IAnalyticsEngine.NeedsOf))!;

        Assert.Contains(typeof(RuleEngine), engines);
        Assert.All(engines, t => Assert.NotSame(needsOf, t.GetInterfaceMap(typeof(IAnalyticsEngine)).TargetMethods.Single(m => m.Name.EndsWith(nameof(IAnalyticsEngine.NeedsOf), StringComparison.Ordinal))));
    }

    [Fact]
    public void Declared_windows_are_padded_and_capped_at_what_the_history_keeps()
    {
        var needs = new HistoryNeeds().Hourly("a", 10).Hourly("a", 3).FiveMinute("a", 1).Hourly("b", 10_000);

        Assert.Equal((10 + HistoryNeeds.MarginHours + 1, (1 + HistoryNeeds.MarginHours) * 12 + 1), needs.CapacityOf("a"));
        Assert.Equal((DeviceHistory.HourCapacity, HistoryNeeds.UndeclaredPoints), needs.CapacityOf("b"));
        Assert.Equal((HistoryNeeds.UndeclaredPoints, HistoryNeeds.UndeclaredPoints), needs.CapacityOf("c"));
        Assert.True(HistoryNeeds.Combine([]).IsEverything);
        Assert.True(HistoryNeeds.Combine([needs, null]).IsEverything);
        Assert.Equal(needs.CapacityOf("a"), HistoryNeeds.Combine([new HistoryNeeds().Hourly("a", 1), needs]).CapacityOf("a"));
    }

    /// <summary>An engine that does not declare what it reads (the interface's default).</summary>
    public sealed class KeepEverything(IAnalyticsEngine inner) : IAnalyticsEngine
    {
        public EngineKind Kind => inner.Kind;

        public IDeviceEngine CreateDevice(DeviceContext context) => inner.CreateDevice(context);
    }
}
