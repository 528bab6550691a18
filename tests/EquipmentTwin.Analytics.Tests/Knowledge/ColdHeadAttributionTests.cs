using static EquipmentTwin.Analytics.Tests.Knowledge.RuleHarness;

namespace EquipmentTwin.Analytics.Tests.Knowledge;

/// <summary>The shipped MRI rules name the cold head for a warm 2nd stage only while the compressor drives it.</summary>
public class ColdHeadAttributionTests
{
    [Fact]
    public void A_stopped_compressor_warming_the_cold_head_is_named_compressor_and_a_worn_cold_head_with_the_compressor_running_cold_head()
    {
        // The compressor stops: pressures equalise at ~230 psig, the 2nd stage warms to 6 K within hours.
        var stopped = new RuleHarness(Shipped);
        stopped.Feed(0, D(1), Min(1), ("compressor_running", _ => 1), ("compressor_supply_psig", _ => 290), ("compressor_return_psig", _ => 95), ("coldhead_stage2_k", _ => 4.1));
        stopped.Feed(D(1) + Min(1), D(2), Min(1), ("compressor_running", _ => 0), ("compressor_supply_psig", _ => 230), ("compressor_return_psig", _ => 230), ("coldhead_stage2_k", _ => 6.0));

        Assert.NotNull(stopped.Evidence("mr-cmp-trip"));
        Assert.DoesNotContain(stopped.Device.Evidence(), e => e.Component == "cold_head");

        // A worn cold head with the compressor running: 4.7 K.
        var worn = new RuleHarness(Shipped);
        worn.Feed(0, D(1), Min(1), ("compressor_running", _ => 1), ("compressor_supply_psig", _ => 290), ("compressor_return_psig", _ => 95), ("coldhead_stage2_k", _ => 4.1));
        worn.Feed(D(1) + Min(1), D(2), Min(1), ("compressor_running", _ => 1), ("compressor_supply_psig", _ => 290), ("compressor_return_psig", _ => 95), ("coldhead_stage2_k", _ => 4.7));

        Assert.NotNull(worn.Evidence("mr-coldhead-hot"));
        Assert.Null(worn.Evidence("mr-cmp-trip"));

        // A magnet that does not report its compressor's run flag: the cold head still speaks ('unless', not 'while').
        var silent = new RuleHarness(Shipped);
        silent.Feed("coldhead_stage2_k", 0, H(3), Min(1), _ => 4.7);
        Assert.NotNull(silent.Evidence("mr-coldhead-hot"));
    }

    [Fact]
    public void Boil_off_above_the_tired_cold_head_figure_names_the_cold_head()
    {
        var h = new RuleHarness(Shipped);

        h.Feed("boiloff_l_per_day", 0, D(3), D(1), _ => 2.4);

        Assert.Equal("cold_head", h.Evidence("mr-boiloff-high")!.Component);
    }
}
