using System.Text.Json;
using EquipmentTwin.Analytics.Anomaly;
using EquipmentTwin.Analytics.Engines;
using EquipmentTwin.Analytics.History;
using EquipmentTwin.Analytics.Knowledge;
using EquipmentTwin.Analytics.Physics;
using EquipmentTwin.Core.Catalog;
using EquipmentTwin.Analytics.Pipeline;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Simulator.Faults;
using EquipmentTwin.Simulator.Fleets;
using EquipmentTwin.Simulator.Simulation;
using EquipmentTwin.Testing;
using Xunit.Abstractions;

namespace EquipmentTwin.Evaluation.Tests;

public class BacktestTests(ITestOutputHelper output)
{
    private static BacktestSetup Demo(int seed, double days) => new(
        RepoPaths.Seeds("fleets", "demo.json"),
        days,
        seed,
        RepoPaths.Catalog,
        RepoPaths.Seeds("faults"),
        Path.Combine(RepoPaths.Root, "config", "rules"),
        Path.Combine(RepoPaths.Root, "config", "physics"),
        TrainingDays: 30);

    [Fact]
    public void Backtest_gives_the_same_numbers_twice_and_foresees_the_demo_faults()
    {
        var first = Backtest.Run(Demo(3, 60));
        var second = Backtest.Run(Demo(3, 60));

        Assert.Equal(JsonSerializer.Serialize(first with { Timing = null! }), JsonSerializer.Serialize(second with { Timing = null! }));
        Assert.Equal(["anomaly", "fused", "physics", "rules"], first.Engines.Keys.Order());
        var fused = first.Engines["fused"];
        Assert.True(fused.Failures >= 2, $"demo fleet should fail at least twice in 60 days, failed {fused.Failures}");
        Assert.Empty(Violations(fused));
        Assert.True(fused.Recall >= first.Engines.Where(e => e.Key != "fused").Max(e => e.Value.Recall));
    }

    [Fact]
    public void A_pipeline_that_always_alerts_fails_the_bounds()
    {
        var report = Backtest.Run(Demo(3, 60) with { Engines = [new AlwaysAlert()] });

        var fused = report.Engines["fused"];
        var violations = Violations(fused);
        output.WriteLine($"always alerting: recall {fused.Recall}, median lead {fused.LeadTimeDaysMedian} d, {fused.FalseAlarms} false alarms; violates: {string.Join(", ", violations)}");
        Assert.True(fused.Failures >= 2);
        Assert.Contains(violations, v => v.EndsWith("false alarms", StringComparison.Ordinal));
        Assert.True(fused.FalseAlarms > 10 * 2, $"always alerting raised only {fused.FalseAlarms} false alarms");
    }

    [Fact]
    public void Keeping_only_the_history_the_engines_read_changes_no_alert_and_no_figure()
    {
        var setup = Demo(5, 45);
        var catalog = SignalCatalog.LoadDirectory(setup.CatalogDirectory);
        var models = AnomalyModelSet.LoadLatest(Path.Combine(RepoPaths.Root, "models"));
        IAnalyticsEngine[] Engines() =>
        [
            RuleEngine.Load(setup.RulesDirectory, catalog),
            new PhysicsEngine(PhysicsConfigLoader.LoadDirectory(setup.PhysicsDirectory, catalog)),
            new AnomalyEngine(models),
        ];

        var trimmed = Backtest.Run(setup with { Engines = Engines() });
        var everything = Backtest.Run(setup with { Engines = [.. Engines().Select(e => new KeepEverything(e))] });

        Assert.True(trimmed.Engines["fused"].Failures >= 1 && trimmed.Engines["anomaly"].Alerts + trimmed.Engines["rules"].Alerts > 0);
        Assert.Equal(JsonSerializer.Serialize(everything with { Timing = null! }), JsonSerializer.Serialize(trimmed with { Timing = null! }));
    }

    [Fact]
    public void Keeping_only_the_history_the_engines_read_changes_no_anomaly_feature()
    {
        var setup = Demo(6, 21);
        var catalog = SignalCatalog.LoadDirectory(setup.CatalogDirectory);
        var fleet = FleetLoader.Load(setup.FleetPath);
        var faults = FaultLibrary.LoadDirectory(setup.FaultsDirectory);
        List<AnomalyFeatureRow> Rows(bool keepEverything)
        {
            var collector = new AnomalyFeatureCollector();
            var pipeline = new AnalyticsPipeline([keepEverything ? new KeepEverything(collector) : collector], catalog);
            var sim = new FleetSimulator(fleet, faults, catalog, new SimulationOptions { Seed = setup.Seed, Days = setup.Days, Detail = SimulationDetail.Summary });
            SimulationFeed.Into(pipeline, sim.Run());
            pipeline.AdvanceAllTo(sim.EndMs);
            return [.. Enum.GetValues<Modality>().SelectMany(m => collector.RowsFor(m))];
        }

        var trimmed = Rows(keepEverything: false);
        var everything = Rows(keepEverything: true);

        Assert.True(trimmed.Count > 100, $"only {trimmed.Count} feature rows");
        Assert.Equal(everything.Count, trimmed.Count);
        for (var i = 0; i < trimmed.Count; i++)
        {
            Assert.Equal((everything[i].DeviceId, everything[i].WindowEndMs), (trimmed[i].DeviceId, trimmed[i].WindowEndMs));
            Assert.Equal(everything[i].Values, trimmed[i].Values);
            Assert.Equal(everything[i].Missing ?? [], trimmed[i].Missing ?? []);
        }
    }

    /// <summary>An engine that does not declare what it reads, so the history keeps every window it can.</summary>
    private sealed class KeepEverything(IAnalyticsEngine inner) : IAnalyticsEngine
    {
        public EngineKind Kind => inner.Kind;

        public IDeviceEngine CreateDevice(DeviceContext context) => inner.CreateDevice(context);
    }

    /// <summary>
    /// What the demo fleet's fused alerts must achieve together: found, early enough, and without crying wolf (at most 2
    /// false alarms in its 10 device-months; always alerting raises hundreds).
    /// </summary>
    private static List<string> Violations(EngineScore s)
    {
        var v = new List<string>();
        if (s.Recall < 0.66)
        {
            v.Add($"recall {s.Recall}");
        }

        if (s.LeadTimeDaysMedian is not >= 1)
        {
            v.Add($"median lead {s.LeadTimeDaysMedian} d");
        }

        if (s.FalseAlarms > 2)
        {
            v.Add($"{s.FalseAlarms} false alarms");
        }

        return v;
    }

    /// <summary>Names every component of every device, with full confidence, from the first hour to the last.</summary>
    private sealed class AlwaysAlert : IAnalyticsEngine
    {
        public EngineKind Kind => EngineKind.Rules;

        public IDeviceEngine CreateDevice(DeviceContext context) => new Device(context);

        private sealed class Device(DeviceContext context) : IDeviceEngine
        {
            public IReadOnlyList<Evidence> Evidence { get; private set; } = [];

            public void OnBucket(string signal, in SeriesPoint bucket, DeviceHistory history)
            {
            }

            public void OnEvent(in LogRecord record, DeviceHistory history)
            {
            }

            public void OnMaintenance(MaintenanceRecord record, DeviceHistory history) => Evidence = [];

            public void OnHour(long hourEndMs, DeviceHistory history)
            {
                var since = Evidence.Count > 0 ? Evidence[0].SinceMs : hourEndMs;
                Evidence = context.Catalog.Components.Keys.Order(StringComparer.Ordinal)
                    .Select(c => new Evidence(EngineKind.Rules, "always", c, since, hourEndMs, 1.0, Severity.Error, $"{c} may fail", []))
                    .ToList();
            }
        }
    }
}
