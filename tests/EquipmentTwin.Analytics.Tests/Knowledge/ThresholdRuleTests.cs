using static EquipmentTwin.Analytics.Tests.Knowledge.RuleHarness;
using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Analytics.Tests.Knowledge;

public class ThresholdRuleTests
{
    private const string ColdHeadWarm = """
        { "id": "ch-warm", "kind": "threshold", "severity": "warning", "signal": "coldhead_stage2_k",
          "above": 4.4, "clear": 4.3, "minDurationMinutes": 120,
          "message": "Cold head 2nd stage at {value} {unit}, above {threshold} {unit} for {duration}" }
        """;

    private static RuleHarness ColdHead(string rule = ColdHeadWarm) => With(Modality.Mri, rule);

    [Fact]
    public void Fires_only_after_the_condition_held_for_the_minimum_duration()
    {
        var h = ColdHead();

        h.Feed("coldhead_stage2_k", 0, Min(115), Min(1), _ => 4.5);
        Assert.False(h.Active("ch-warm"));

        h.Feed("coldhead_stage2_k", Min(116), Min(120), Min(1), _ => 4.5);
        Assert.True(h.Active("ch-warm"));
        Assert.Equal(T0 + H(2), h.Evidence("ch-warm")!.SinceMs);
    }

    [Fact]
    public void Clears_only_when_the_value_crosses_back_past_the_clear_level()
    {
        var h = ColdHead();
        h.Feed("coldhead_stage2_k", 0, H(3), Min(1), _ => 4.5);
        Assert.True(h.Active("ch-warm"));

        // Between clear (4.3) and limit (4.4): hysteresis keeps it active.
        h.Feed("coldhead_stage2_k", H(3) + Min(1), H(5), Min(1), _ => 4.35);
        Assert.True(h.Active("ch-warm"));

        h.Feed("coldhead_stage2_k", H(5) + Min(1), H(5) + Min(10), Min(1), _ => 4.25);
        Assert.False(h.Active("ch-warm"));
        Assert.Null(h.Evidence("ch-warm"));
    }

    [Fact]
    public void Clearing_needs_the_clear_condition_for_the_clear_duration()
    {
        var h = With(Modality.Mri, """
            { "id": "room-hot", "kind": "threshold", "severity": "warning", "signal": "room_temp_c",
              "above": 24, "clear": 22, "minDurationMinutes": 30, "clearDurationMinutes": 30, "message": "Room {value} {unit}" }
            """);
        h.Feed("room_temp_c", 0, H(1), Min(5), _ => 26);
        Assert.True(h.Active("room-hot"));

        // 20 minutes cool, then warm again: not long enough to clear.
        h.Feed("room_temp_c", H(1) + Min(5), H(1) + Min(25), Min(5), _ => 20);
        h.Feed("room_temp_c", H(1) + Min(30), H(2), Min(5), _ => 23);
        Assert.True(h.Active("room-hot"));

        h.Feed("room_temp_c", H(2) + Min(5), H(2) + Min(30), Min(5), _ => 20);
        Assert.True(h.Active("room-hot"));
        h.Feed("room_temp_c", H(2) + Min(35), H(2) + Min(40), Min(5), _ => 20);
        Assert.False(h.Active("room-hot"));
    }

    [Fact]
    public void A_single_bucket_spike_does_not_satisfy_a_fifteen_minute_rule()
    {
        var rule = """
            { "id": "oil-hot", "kind": "threshold", "severity": "warning", "signal": "tube_oil_temp_c",
              "above": 80, "minDurationMinutes": 15, "stat": "max", "message": "Oil {value} {unit}" }
            """;
        var h = With(Modality.Ct, rule);

        // One 5-minute bucket at 95 °C, then two buckets at 95 °C, among normal readings: never 15 min.
        h.Feed("tube_oil_temp_c", 0, H(24), Min(1), t => t is >= 3_600_000 and < 3_900_000 || t is >= 7_200_000 and < 7_800_000 ? 95 : 50);
        Assert.False(h.Active("oil-hot"));

        // Three consecutive buckets are 15 minutes: that fires when the third closes.
        h.Feed("tube_oil_temp_c", H(24) + Min(1), H(24) + Min(14), Min(1), _ => 95);
        Assert.False(h.Active("oil-hot"));
        h.Feed("tube_oil_temp_c", H(24) + Min(15), H(24) + Min(15), Min(1), _ => 50);
        Assert.Equal(T0 + H(24) + Min(15), h.Evidence("oil-hot")!.SinceMs);
    }

    [Fact]
    public void Stat_selects_the_bucket_statistic_compared()
    {
        var mean = With(Modality.Ct, """{ "id": "r", "kind": "threshold", "severity": "info", "signal": "tube_oil_temp_c", "above": 80, "message": "m" }""");
        var max = With(Modality.Ct, """{ "id": "r", "kind": "threshold", "severity": "info", "signal": "tube_oil_temp_c", "above": 80, "stat": "max", "message": "m" }""");

        // Each bucket: four readings at 60 and one at 90 -> mean 66, max 90.
        foreach (var h in new[] { mean, max })
        {
            h.Feed("tube_oil_temp_c", 0, Min(10), Min(1), t => t % Min(5) == 0 ? 90 : 60);
        }

        Assert.False(mean.Active("r"));
        Assert.True(max.Active("r"));
    }

    [Fact]
    public void A_below_rule_fires_below_and_clears_above_its_clear_level()
    {
        var h = With(Modality.Mri, """
            { "id": "he-low", "kind": "threshold", "severity": "warning", "signal": "he_level_pct",
              "below": 60, "clear": 63, "minDurationMinutes": 60, "message": "He {value} {unit}" }
            """);
        h.Feed("he_level_pct", 0, H(2), Min(15), _ => 58);
        Assert.True(h.Active("he-low"));

        h.Feed("he_level_pct", H(2) + Min(15), H(3), Min(15), _ => 61.5);
        Assert.True(h.Active("he-low"));

        h.Feed("he_level_pct", H(3) + Min(15), H(4), Min(15), _ => 90); // top-off
        Assert.False(h.Active("he-low"));
    }

    [Fact]
    public void A_gap_in_the_data_breaks_the_run_towards_the_minimum_duration()
    {
        var h = ColdHead();

        // 90 min warm, 3 h without data, 90 min warm: never 2 h of data in a row.
        h.Feed("coldhead_stage2_k", 0, Min(90), Min(1), _ => 4.5);
        h.Feed("coldhead_stage2_k", H(4) + Min(30), H(6), Min(1), _ => 4.5);
        Assert.False(h.Active("ch-warm"));

        h.Feed("coldhead_stage2_k", H(6) + Min(1), H(7), Min(1), _ => 4.5);
        Assert.True(h.Active("ch-warm"));
        Assert.Equal(T0 + H(6) + Min(30), h.Evidence("ch-warm")!.SinceMs);
    }
}
