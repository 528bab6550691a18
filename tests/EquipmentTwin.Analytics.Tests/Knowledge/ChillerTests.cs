using static EquipmentTwin.Analytics.Tests.Knowledge.RuleHarness;

namespace EquipmentTwin.Analytics.Tests.Knowledge;

/// <summary>The shipped MRI rules name the water loop when the chiller's supply water warms over its own normal, long before 25 °C.</summary>
public class ChillerTests
{
    private static double Supply(long t, Random rng) => 9.5 + 0.3 * Math.Sin(2 * Math.PI * t / D(1)) + 0.2 * (rng.NextDouble() - 0.5);

    [Fact]
    public void A_chiller_losing_capacity_is_named_days_before_the_water_trips_the_compressor_and_a_steady_one_never()
    {
        var rng = new Random(9);
        var failing = new RuleHarness(Shipped);
        var steady = new RuleHarness(Shipped);

        // Three steady days, then the supply warms 4 °C a day (25 °C, the compressor trip, 3.9 days later).
        failing.Feed("chilled_water_supply_c", 0, D(3), Min(1), t => Supply(t, rng));
        steady.Feed("chilled_water_supply_c", 0, D(8), Min(1), t => Supply(t, rng));
        long? namedAt = null;
        for (var t = D(3) + Min(1); t <= D(6); t += Min(1))
        {
            var v = Supply(t, rng) + 4.0 * (t - D(3)) / D(1);
            failing.Feed("chilled_water_supply_c", t, t, Min(1), _ => v);
            if (namedAt is null && failing.Device.Evidence().Any(e => e.Component == "water_loop"))
            {
                namedAt = t;
            }
        }

        Assert.NotNull(namedAt);
        var daysBeforeTrip = (D(3) + D(15.5 / 4) - namedAt.Value) / (double)D(1);
        Assert.True(daysBeforeTrip >= 3, $"named {daysBeforeTrip:0.0} d before the supply reached 25 °C");
        Assert.DoesNotContain(steady.Device.Evidence(), e => e.Component == "water_loop");
    }
}
