using static EquipmentTwin.Analytics.Tests.Knowledge.RuleHarness;
using EquipmentTwin.Analytics.Engines;
using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Analytics.Tests.Knowledge;

public class EvidenceTests
{
    [Fact]
    public void Evidence_carries_rule_component_event_times_summary_and_readings()
    {
        var h = new RuleHarness(Shipped);

        h.Feed("coldhead_stage2_k", 0, H(2) + Min(15), Min(1), _ => 4.52);

        var e = Assert.Single(h.Device.Evidence());
        Assert.Equal(EngineKind.Rules, e.Engine);
        Assert.Equal("mr-coldhead-warm", e.Source);
        Assert.Equal("cold_head", e.Component);
        Assert.Equal(T0 + H(2), e.SinceMs);
        Assert.Equal(T0 + H(2) + Min(15), e.UpdatedMs);
        Assert.Equal(Severity.Warning, e.Severity);
        Assert.Equal(0.6, e.Confidence);
        Assert.Equal("Cold head 2nd stage at 4.52 K, above 4.4 K for 2 h 15 min", e.Summary);
        Assert.Equal([new Reading("coldhead_stage2_k", 4.52, T0 + H(2) + Min(10))], e.Readings);
        Assert.Null(e.Forecast);
    }

    [Theory]
    [InlineData("info", 0.3)]
    [InlineData("warning", 0.6)]
    [InlineData("error", 0.8)]
    [InlineData("critical", 0.95)]
    public void Confidence_follows_severity(string severity, double confidence)
    {
        var h = With(Modality.Mri, $$"""{ "id": "r", "kind": "threshold", "severity": "{{severity}}", "signal": "room_temp_c", "above": 24, "message": "m" }""");

        h.Feed("room_temp_c", 0, Min(10), Min(5), _ => 30);

        Assert.Equal(confidence, h.Evidence("r")!.Confidence);
    }

    [Fact]
    public void Evidence_is_identical_for_identical_input()
    {
        string Run()
        {
            var noise = new Random(3);
            var h = new RuleHarness(Shipped);
            h.Feed(0, D(5), Min(5),
                ("he_level_pct", t => 80 - 3.0 * t / D(1) + noise.NextDouble()),
                ("coldhead_stage2_k", t => 4.2 + 0.3 * t / D(5)),
                ("room_temp_c", t => 20 + 6 * Math.Sin(t / (double)H(6))));
            return string.Join("\n", h.Device.Evidence().Select(e => $"{e.Source} {e.SinceMs} {e.UpdatedMs} {e.Summary}"));
        }

        var first = Run();
        Assert.NotEmpty(first);
        Assert.Equal(first, Run());
    }
}
