using System.Text.Json;
using EquipmentTwin.Testing;

namespace EquipmentTwin.Evaluation.Tests;

public class BacktestTests
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
}
