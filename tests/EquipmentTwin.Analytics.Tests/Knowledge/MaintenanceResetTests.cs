using static EquipmentTwin.Analytics.Tests.Knowledge.RuleHarness;
using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Analytics.Tests.Knowledge;

public class MaintenanceResetTests
{
    private const string Warm = """
        { "id": "ch-warm", "kind": "threshold", "severity": "warning", "signal": "coldhead_stage2_k", "above": 4.4, "minDurationMinutes": 60, "message": "m" }
        """;

    [Fact]
    public void Repair_of_the_component_resets_its_rules_which_must_then_prove_themselves_again()
    {
        var h = With(Modality.Mri, Warm);
        h.Feed("coldhead_stage2_k", 0, H(2), Min(1), _ => 4.5);
        Assert.True(h.Active("ch-warm"));

        h.Maintenance(H(2) + Min(2), "cold_head", MaintenanceAction.Repair);
        Assert.False(h.Active("ch-warm"));

        // Still warm after the repair: it fires again, but only after a full hour of post-repair data.
        h.Feed("coldhead_stage2_k", H(2) + Min(3), H(2) + Min(55), Min(1), _ => 4.5);
        Assert.False(h.Active("ch-warm"));
        h.Feed("coldhead_stage2_k", H(2) + Min(56), H(4), Min(1), _ => 4.5);
        Assert.Equal(T0 + H(3) + Min(5), h.Evidence("ch-warm")!.SinceMs);
    }

    private const string Boiloff = """
        { "id": "boiloff", "kind": "threshold", "component": "cold_head", "severity": "warning", "signal": "boiloff_l_per_day", "above": 1.2, "clear": 0.7,
          "settleAfterRepair": { "of": ["cold_head", "compressor"], "hours": 72 }, "message": "m" }
        """;

    [Fact]
    public void After_a_repair_of_a_listed_component_a_settling_rule_waits_and_then_fires_if_the_condition_still_holds()
    {
        long? Fired(string rule, string component, MaintenanceAction action, double afterRepair)
        {
            var h = With(Modality.Mri, rule);
            long? first = null;
            h.Device.HourClosed += (_, e) => first ??= e >= T0 + D(2) && h.Active("boiloff") ? e : null;
            h.Feed("boiloff_l_per_day", 0, D(2), H(1), _ => 0.3);
            h.Maintenance(D(2), component, action);
            h.Feed("boiloff_l_per_day", D(2) + H(1), D(8), H(1), _ => afterRepair);
            return first - T0;
        }

        // Boil-off of a recovering magnet: 3 L/day right after the cold head is replaced. Without the wait the rule fires
        // within the hour; with it, only once the 72 h are over, since the boil-off is still high then.
        var plain = Boiloff.Replace("\"settleAfterRepair\": { \"of\": [\"cold_head\", \"compressor\"], \"hours\": 72 }, ", "", StringComparison.Ordinal);
        Assert.Equal(D(2) + H(2), Fired(plain, "cold_head", MaintenanceAction.Replace, 3.0));
        Assert.Equal(D(5) + H(1), Fired(Boiloff, "cold_head", MaintenanceAction.Replace, 3.0));
        Assert.Equal(D(5) + H(1), Fired(Boiloff, "compressor", MaintenanceAction.Repair, 3.0));

        // Back to normal within the wait: nothing fires. A service visit or another component's repair makes it wait for nothing.
        Assert.Null(Fired(Boiloff, "cold_head", MaintenanceAction.Replace, 0.3));
        Assert.Equal(D(2) + H(2), Fired(Boiloff, "cold_head", MaintenanceAction.Service, 3.0));
        Assert.Equal(D(2) + H(2), Fired(Boiloff, "water_loop", MaintenanceAction.Repair, 3.0));
    }

    [Theory]
    [InlineData("{ \"of\": [\"flux_capacitor\"], \"hours\": 72 }", "flux_capacitor")]
    [InlineData("{ \"of\": [\"cold_head\"], \"hours\": 0 }", "hours")]
    [InlineData("{ \"of\": [], \"hours\": 72 }", "'of' is required")]
    [InlineData("{ \"of\": [\"cold_head\"], \"hours\": 72, \"until\": 1 }", "until")]
    [InlineData("72", "expected an object")]
    public void A_settle_after_repair_that_makes_no_sense_is_refused(string settle, string expected)
    {
        var rule = Boiloff.Replace("{ \"of\": [\"cold_head\", \"compressor\"], \"hours\": 72 }", settle, StringComparison.Ordinal);
        var ex = Assert.ThrowsAny<Exception>(() => With(Modality.Mri, rule));
        Assert.Contains("settleAfterRepair", ex.Message, StringComparison.Ordinal);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Service_visits_and_other_components_leave_the_rule_alone()
    {
        var h = With(Modality.Mri, Warm);
        h.Feed("coldhead_stage2_k", 0, H(2), Min(1), _ => 4.5);

        h.Maintenance(H(2), "cold_head", MaintenanceAction.Service);
        h.Maintenance(H(2), "compressor", MaintenanceAction.Replace);

        Assert.Equal(T0 + H(1), h.Evidence("ch-warm")!.SinceMs);
    }

    [Fact]
    public void Replacement_re_learns_the_baseline()
    {
        var h = With(Modality.Ct, """
            { "id": "fil", "kind": "baseline-deviation", "severity": "warning", "signal": "filament_current_a",
              "windowHours": 24, "baselineDays": 2, "above": 5, "message": "m" }
            """);
        h.Feed("filament_current_a", 0, D(2), Min(5), _ => 4.0);
        h.Feed("filament_current_a", D(2) + Min(5), D(4), Min(5), _ => 4.4);
        Assert.True(h.Active("fil"));

        // A new tube whose filament runs at 4.4 A: that is its normal, learnt afresh.
        h.Maintenance(D(4) + Min(1), "cathode", MaintenanceAction.Replace);
        h.Feed("filament_current_a", D(4) + Min(5), D(10), Min(5), _ => 4.4);

        Assert.False(h.Active("fil"));
        Assert.False(h.Engine.IsActive("fil"));
    }

    [Fact]
    public void After_a_repair_only_later_events_count()
    {
        var h = With(Modality.Mri, """
            { "id": "trips", "kind": "event-count", "severity": "error", "codes": ["MR-GRD-501"], "count": 3, "withinHours": 24, "message": "m" }
            """);
        h.Event(H(1), "MR-GRD-501").Event(H(2), "MR-GRD-501");
        h.Maintenance(H(3), "gradient_amp", MaintenanceAction.Repair);

        h.Event(H(4), "MR-GRD-501").Event(H(5), "MR-GRD-501");
        Assert.False(h.Active("trips"));

        h.Event(H(6), "MR-GRD-501");
        Assert.True(h.Active("trips"));
    }
}
