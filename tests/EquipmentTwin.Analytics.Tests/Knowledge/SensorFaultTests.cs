using static EquipmentTwin.Analytics.Tests.Knowledge.RuleHarness;
using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Analytics.Tests.Knowledge;

/// <summary>Sensor faults are the data-quality checker's business; the shipped rules must not mistake them for machine faults.</summary>
public class SensorFaultTests
{
    private static readonly (string Signal, Func<long, double> Value)[] HealthyMri =
    [
        ("he_level_pct", _ => 78), ("coldhead_stage2_k", _ => 4.1), ("coldhead_stage1_k", _ => 42),
        ("magnet_pressure_psig", _ => 1.5), ("compressor_running", _ => 1), ("compressor_supply_psig", _ => 290),
        ("compressor_return_psig", _ => 95), ("chilled_water_supply_c", _ => 10), ("chilled_water_flow_gpm", _ => 30),
        ("gradient_water_temp_c", _ => 21), ("rf_forward_w", _ => 8000), ("rf_reflected_pct", _ => 3),
        ("room_temp_c", _ => 19), ("room_rh_pct", _ => 45),
    ];

    [Fact]
    public void Spikes_on_every_signal_fire_no_shipped_rule()
    {
        var h = new RuleHarness(Shipped);

        // Once every 3 hours each signal spikes for one 5-minute bucket to an absurd value.
        h.Feed(0, D(3), Min(5), HealthyMri.Select(s => (s.Signal, (Func<long, double>)(t => t % H(3) == 0 ? s.Value(t) * 5 - 100 : s.Value(t)))).ToArray());

        Assert.Empty(h.Device.Evidence());
    }

    [Fact]
    public void A_stuck_sensor_at_a_normal_value_fires_nothing()
    {
        var h = new RuleHarness(Shipped);

        h.Feed(0, D(10), Min(5), HealthyMri);

        Assert.Empty(h.Device.Evidence());
    }

    [Fact]
    public void A_helium_probe_frozen_at_a_low_noisy_reading_is_no_falling_helium()
    {
        var noise = new Random(3);
        var h = new RuleHarness(Shipped);

        // A probe with ±2 % noise (domain §1: ±5 % FS on older probes), read every 15 minutes, then frozen at a reading 4 % low.
        h.Feed("he_level_pct", 0, D(3), Min(15), _ => 80 + 2 * (noise.NextDouble() - 0.5) * 2);
        var fired = 0;
        for (var t = D(3) + Min(15); t <= D(6); t += Min(15))
        {
            h.Feed("he_level_pct", t, t, Min(15), _ => 76);
            fired += h.Active("mr-he-falling") ? 1 : 0;
        }

        Assert.Equal(0, fired);
    }

    [Fact]
    public void A_dropped_channel_is_not_read_as_zero()
    {
        var h = new RuleHarness(Shipped);
        h.Feed(0, D(3), Min(5), HealthyMri);

        // Helium and water flow go silent; zero would mean "empty cryostat" and "no flow".
        h.Feed(D(3) + Min(5), D(10), Min(5), HealthyMri.Where(s => s.Signal is not ("he_level_pct" or "chilled_water_flow_gpm")).ToArray());

        Assert.Empty(h.Device.Evidence());
    }

    [Fact]
    public void No_data_changes_no_state_an_active_rule_stays_active_through_a_dropout()
    {
        var h = new RuleHarness(Shipped);
        h.Feed("he_level_pct", 0, H(4), Min(15), _ => 55);
        Assert.True(h.Active("mr-he-low"));

        h.Feed("room_temp_c", H(4), D(3), Min(5), _ => 19);

        // Still active, last judged on the last helium bucket (closed by the next hour tick), not since.
        Assert.True(h.Active("mr-he-low"));
        Assert.Equal(T0 + H(4) + Min(5), h.Evidence("mr-he-low")!.UpdatedMs);
    }

    [Fact]
    public void A_healthy_year_of_mri_data_through_the_shipped_rules_raises_nothing()
    {
        var noise = new Random(1);
        var h = new RuleHarness(Shipped);
        var raised = 0;
        h.Device.HourClosed += (d, _) => raised += d.Evidence().Count();

        // Every catalog signal of a healthy magnet, one reading per 5 minutes, with sensor noise.
        var signals = RuleHarness.Catalog[Modality.Mri].Signals.Values
            .Select(s => (s.Name, (Func<long, double>)(t => Healthy(s, t, noise))))
            .ToArray();
        h.Feed(0, D(365), Min(5), signals);

        Assert.Equal(0, raised);
        Assert.Equal(0, h.Device.History.LateRecords);
    }

    private static double Healthy(Core.Catalog.SignalDefinition s, long t, Random noise)
    {
        if (s.Cumulative)
        {
            return t / 3_600_000.0;
        }

        var min = s.NormalMin ?? 0;
        var max = s.NormalMax ?? min + 1;
        var mid = (min + max) / 2;
        return mid + (max - min) * 0.1 * (noise.NextDouble() - 0.5);
    }
}
