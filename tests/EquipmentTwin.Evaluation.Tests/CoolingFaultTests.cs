using EquipmentTwin.Analytics.Knowledge;
using EquipmentTwin.Testing;
using Xunit.Abstractions;

namespace EquipmentTwin.Evaluation.Tests;

/// <summary>The cooling faults the rules name from the cooling path itself, days before the over-temperature they end in.</summary>
public class CoolingFaultTests(ITestOutputHelper output)
{
    [Fact]
    public void Tube_cooling_and_panel_cooling_faults_are_foreseen_by_the_rules_naming_the_right_component_without_false_alarms()
    {
        var catalog = Core.Catalog.SignalCatalog.LoadDirectory(RepoPaths.Catalog);
        var setup = new BacktestSetup(
            Path.Combine(RepoPaths.Root, "tests", "EquipmentTwin.Evaluation.Tests", "Fixtures", "cooling.json"),
            30,
            7,
            RepoPaths.Catalog,
            RepoPaths.Seeds("faults"),
            Path.Combine(RepoPaths.Root, "config", "rules"),
            Path.Combine(RepoPaths.Root, "config", "physics"),
            Engines: [RuleEngine.Load(Path.Combine(RepoPaths.Root, "config", "rules"), catalog)]);

        var report = Backtest.Run(setup);

        var faults = report.Faults.Where(f => f.Kind == "machine").ToDictionary(f => f.Scenario);
        foreach (var (scenario, f) in faults)
        {
            output.WriteLine($"{scenario}: onset {f.Onset}, failure {f.Failure}, lead {string.Join(", ", f.LeadTimeDays.Select(kv => $"{kv.Key} {kv.Value}"))}");
        }

        foreach (var fa in report.FalseAlarms)
        {
            output.WriteLine($"false alarm {fa.View} {fa.Device} {fa.Component} {fa.Opened}: {fa.Summary}");
        }

        Assert.Equal(["ct-tube-cooling-degradation", "xray-detector-cooling-failure"], faults.Keys.Order());
        Assert.All(faults.Values, f => Assert.NotNull(f.Failure));
        Assert.True(faults["ct-tube-cooling-degradation"].LeadTimeDays["fused"] >= 3, "tube cooling must be named at least 3 days ahead");
        Assert.True(faults["xray-detector-cooling-failure"].LeadTimeDays["fused"] >= 1, "panel cooling must be named at least a day ahead");
        Assert.Empty(report.FalseAlarms);
    }
}
