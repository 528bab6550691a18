using static EquipmentTwin.Analytics.Tests.Knowledge.RuleHarness;
using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Analytics.Tests.Knowledge;

public class WhileConditionTests
{
    private const string Reflected = """
        { "id": "rf-refl", "kind": "threshold", "severity": "warning", "signal": "rf_reflected_pct", "above": 10, "minDurationMinutes": 15,
          "while": { "signal": "rf_forward_w", "above": 1000, "maxAgeMinutes": 10 },
          "message": "Reflected {value} {unit} while transmitting" }
        """;

    [Fact]
    public void Rule_fires_while_the_gate_signal_holds()
    {
        var h = With(Modality.Mri, Reflected);

        h.Feed(0, H(1), Min(5), ("rf_forward_w", _ => 8000), ("rf_reflected_pct", _ => 14));

        var e = h.Evidence("rf-refl");
        Assert.NotNull(e);
        Assert.Contains(e.Readings, r => r.Name == "rf_forward_w" && r.Value == 8000);
    }

    [Fact]
    public void Rule_does_not_fire_while_the_gate_signal_is_outside_its_condition()
    {
        var h = With(Modality.Mri, Reflected);

        // Amplifier idle (forward 0 W): the reflected ratio means nothing.
        h.Feed(0, H(2), Min(5), ("rf_forward_w", _ => 0), ("rf_reflected_pct", _ => 14));

        Assert.False(h.Active("rf-refl"));
    }

    [Fact]
    public void A_stale_gate_value_keeps_the_gate_closed()
    {
        var h = With(Modality.Mri, Reflected);

        // Last transmit an hour ago, reflected readings keep coming.
        h.Feed("rf_forward_w", 0, 0, Min(5), _ => 8000);
        h.Feed("rf_reflected_pct", H(1), H(3), Min(5), _ => 14);

        Assert.False(h.Active("rf-refl"));
    }

    [Fact]
    public void A_closed_gate_interrupts_the_minimum_duration_run()
    {
        var h = With(Modality.Mri, Reflected);

        // Transmitting for 10 minutes, idle for 10, transmitting for 10: never 15 minutes gated in a row.
        h.Feed(0, H(2), Min(5), ("rf_forward_w", t => t / Min(10) % 2 == 0 ? 8000 : 0), ("rf_reflected_pct", _ => 14));

        Assert.False(h.Active("rf-refl"));
    }
}
