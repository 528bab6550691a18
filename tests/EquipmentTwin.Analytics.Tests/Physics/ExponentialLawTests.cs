using EquipmentTwin.Analytics.Engines;
using EquipmentTwin.Analytics.Physics;
using EquipmentTwin.Analytics.Physics.Fitting;
using EquipmentTwin.Core.WireFormat;
using MathNet.Numerics.Distributions;

namespace EquipmentTwin.Analytics.Tests.Physics;

public class ExponentialLawTests
{
    [Fact]
    public void Exponential_fit_recovers_growth_rate_and_crossing()
    {
        // v = φ + θ·e^{βt}: φ 1 mm/s, 2 mm/s now, β 0.1/day: 4.5 mm/s in ln(3.5)/0.1 = 12.5 days.
        var rng = new Random(31);
        var t = Synthetic.HourlyTimes(30);
        var v = t.Select(x => 1 + Math.Exp(0.1 * x) + Normal.Sample(rng, 0, 0.03)).ToArray();
        var truth = Math.Log(3.5) / 0.1;

        var fit = ExponentialFit.Fit(t, v, 1.0, 0.06, 48)!.Value;
        var band = CrossingBand.FromLine(fit, Math.Log(4.5 - 1.0), ThresholdDirection.Above)!.Value;

        Assert.InRange(fit.B, 0.095, 0.105);
        Assert.InRange(Math.Exp(fit.A), 0.95, 1.05);
        Assert.InRange(band.P50, truth * 0.95, truth * 1.05);
        Assert.True(band.P10 <= truth && truth <= band.P90, $"{band.P10} {band.P50} {band.P90} {fit}");
    }

    [Fact]
    public void Gantry_bearing_vibration_growth_is_forecast_through_the_engine()
    {
        // φ 1 mm/s; excess 0.02·e^{0.1 d}: 2.09 mm/s at day 40, 4.5 mm/s at day 51.6.
        var rng = new Random(32);
        var model = Synthetic.Model("ct-gantry-bearing", Modality.Ct) with { Law = PhysicsLaw.Exponential };
        var device = Synthetic.Device(Modality.Ct, Synthetic.Config(Modality.Ct, model));

        Synthetic.Run(device, Synthetic.Signal("gantry_vibration_mm_s", 0, 40, 12, d => 1 + 0.02 * Math.Exp(0.1 * d), 0.05, rng), 40);

        var e = Synthetic.Find(device, "ct-gantry-bearing")!;
        var f = e.Forecast!;
        Assert.Equal("exponential:ct-gantry-bearing", f.Model);
        Assert.InRange(f.Parameters["phi"], 0.98, 1.05);
        Assert.InRange(f.Parameters["beta"], 0.09, 0.11);
        Assert.InRange(Synthetic.FitP50(f), 11.6 * 0.85, 11.6 * 1.15);
        Assert.Equal(Severity.Error, e.Severity);
        Assert.Contains("rising exponentially", e.Summary);
    }

    [Fact]
    public void Vibration_at_its_baseline_gives_no_forecast()
    {
        var rng = new Random(33);
        var model = Synthetic.Model("ct-anode-bearing", Modality.Ct) with { Law = PhysicsLaw.Exponential };
        var device = Synthetic.Device(Modality.Ct, Synthetic.Config(Modality.Ct, model));

        Synthetic.Run(device, Synthetic.Signal("anode_vibration_mm_s", 0, 40, 12, _ => 1.2, 0.1, rng), 40);

        Assert.Null(Synthetic.Find(device, "ct-anode-bearing"));
    }
}
