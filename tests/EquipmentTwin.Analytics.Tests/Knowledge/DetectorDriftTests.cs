using static EquipmentTwin.Analytics.Tests.Knowledge.RuleHarness;
using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Analytics.Tests.Knowledge;

/// <summary>The shipped CT rules name a detector whose temperature control is lost by its leaving the set point, before it is 1 °C off.</summary>
public class DetectorDriftTests
{
    // A regulated detector: 36.02 °C following the room's daily swing by a few hundredths, minute noise 0.06 °C.
    private static double Healthy(long t, Random rng) =>
        36.02 + 0.04 * Math.Sin(2 * Math.PI * t / D(1)) + 0.06 * (rng.NextDouble() + rng.NextDouble() + rng.NextDouble() - 1.5);

    [Fact]
    public void A_detector_leaving_its_set_point_is_named_hours_before_it_is_a_degree_off_and_a_regulated_one_never()
    {
        var rng = new Random(5);
        var faulty = new RuleHarness(Shipped, Modality.Ct, "ct-1");
        var healthy = new RuleHarness(Shipped, Modality.Ct, "ct-2");

        // Four regulated days, then the heater control drifts up 0.1 °C an hour on one of them (1 °C off after 10 h).
        faulty.Feed("detector_temp_c", 0, D(4), Min(1), t => Healthy(t, rng));
        healthy.Feed("detector_temp_c", 0, D(5), Min(1), t => Healthy(t, rng));
        long? firedAt = null;
        for (var t = D(4) + Min(1); t <= D(4) + H(12); t += Min(1))
        {
            var v = Healthy(t, rng) + 0.1 * (t - D(4)) / (double)H(1);
            faulty.Feed("detector_temp_c", t, t, Min(1), _ => v);
            if (firedAt is null && faulty.Evidence("ct-detector-temp") is not null)
            {
                firedAt = t;
            }
        }

        healthy.AdvanceTo(D(5) + H(1));
        Assert.NotNull(firedAt);
        var hoursIntoDrift = (firedAt.Value - D(4)) / (double)H(1);
        Assert.True(hoursIntoDrift <= 7.5, $"named {hoursIntoDrift:0.0} h into the drift (0.1 °C/h; 1 °C off after 10 h)");
        Assert.Null(healthy.Evidence("ct-detector-temp"));
    }
}
