using static EquipmentTwin.Analytics.Tests.Knowledge.RuleHarness;
using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Analytics.Tests.Knowledge;

public class CombinationRuleTests
{
    private static readonly string[] Rules =
    [
        """{ "id": "warm", "kind": "threshold", "severity": "warning", "hidden": true, "signal": "coldhead_stage2_k", "above": 4.4, "message": "warm {value}" }""",
        """{ "id": "hot-room", "kind": "threshold", "severity": "warning", "hidden": true, "signal": "room_temp_c", "above": 24, "message": "room {value}" }""",
        """{ "id": "both", "kind": "all", "component": "cold_head", "severity": "error", "rules": ["warm", "hot-room"], "message": "both: {rules}" }""",
        """{ "id": "either", "kind": "any", "component": "room", "severity": "warning", "rules": ["warm", "hot-room"], "message": "{count} of 2: {rules}" }""",
    ];

    [Fact]
    public void All_needs_every_rule_and_any_needs_one()
    {
        var h = With(Modality.Mri, Rules);

        h.Feed(0, H(1), Min(5), ("coldhead_stage2_k", _ => 4.5), ("room_temp_c", _ => 20));
        Assert.True(h.Active("either"));
        Assert.False(h.Active("both"));
        Assert.Equal("1 of 2: warm", h.Evidence("either")!.Summary);

        h.Feed(H(1) + Min(5), H(2), Min(5), ("coldhead_stage2_k", _ => 4.5), ("room_temp_c", _ => 26));
        Assert.True(h.Active("both"));
        Assert.Equal("both: warm, hot-room", h.Evidence("both")!.Summary);

        h.Feed(H(2) + Min(5), H(3), Min(5), ("coldhead_stage2_k", _ => 4.2), ("room_temp_c", _ => 26));
        Assert.False(h.Active("both"));
        Assert.True(h.Active("either"));

        h.Feed(H(3) + Min(5), H(4), Min(5), ("coldhead_stage2_k", _ => 4.2), ("room_temp_c", _ => 20));
        Assert.False(h.Active("either"));
    }

    [Fact]
    public void Hidden_building_blocks_emit_no_evidence_but_lend_their_readings()
    {
        var h = With(Modality.Mri, Rules);

        h.Feed(0, H(1), Min(5), ("coldhead_stage2_k", _ => 4.5), ("room_temp_c", _ => 26));

        Assert.True(h.Active("warm"));
        Assert.Equal(["both", "either"], h.Device.Evidence().Select(e => e.Source).Order());
        var both = h.Evidence("both")!;
        Assert.Equal(["coldhead_stage2_k", "room_temp_c"], both.Readings.Select(r => r.Name));
        Assert.Equal(4.5, both.Readings[0].Value);
    }

    [Fact]
    public void Nested_combinations_of_the_shipped_compressor_rules_detect_a_trip()
    {
        var h = new RuleHarness(Shipped);

        // A trip at 6 h: pressures equalise to the static ~230 psig (the run flag is not logged by every
        // compressor, so the pressure pair alone must be enough).
        h.Feed(0, H(8), Min(1),
            ("compressor_supply_psig", t => t < H(6) ? 290 : 230),
            ("compressor_return_psig", t => t < H(6) ? 95 : 230));

        var trip = h.Evidence("mr-cmp-trip");
        Assert.NotNull(trip);
        Assert.Equal(T0 + H(6) + Min(30), trip.SinceMs);
        Assert.Equal(Severity.Error, trip.Severity);
        Assert.DoesNotContain(h.Device.Evidence(), e => e.Source is "mr-cmp-supply-low" or "mr-cmp-return-high" or "mr-cmp-pressures-static");
    }
}
