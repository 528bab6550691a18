using EquipmentTwin.Analytics.Engines;
using EquipmentTwin.Analytics.Physics;
using EquipmentTwin.Analytics.Physics.Fitting;
using EquipmentTwin.Core.WireFormat;
using MathNet.Numerics.Distributions;

namespace EquipmentTwin.Analytics.Tests.Physics;

public class OnsetExponentialLawTests
{
    // Wear from an onset: v = φ + A·(e^{β(t − τ)} − 1) after τ, φ before. φ 1 mm/s, A 0.5 mm/s, β 0.03/day.
    private const double Phi = 1, Amp = 0.5, Beta = 0.03;

    private static double Law(double t, double tau) => t < tau ? Phi : Phi + Amp * (Math.Exp(Beta * (t - tau)) - 1);

    private static double CrossingFrom(double tau, double threshold) => tau + Math.Log(1 + (threshold - Phi) / Amp) / Beta;

    private static (double[] T, double[] V) Window(double tau, double noise, int seed)
    {
        var rng = new Random(seed);
        var t = Synthetic.HourlyTimes(30);
        return (t, t.Select(x => Law(x, tau) + Normal.Sample(rng, 0, noise)).ToArray());
    }

    [Theory]
    [InlineData(-20.0)] // onset inside the 30-day window
    [InlineData(-45.0)] // onset before the window: wear already under way when it opens
    public void Fit_recovers_onset_rate_and_crossing(double tau)
    {
        var (t, v) = Window(tau, 0.03, 41);
        var truth = CrossingFrom(tau, 4.5);

        var fit = OnsetExponentialFit.Fit(t, v, Phi, 36)!;
        var band = fit.Crossing(4.5 - Phi)!.Value;

        Assert.InRange(fit.Beta, Beta * 0.7, Beta * 1.3);
        Assert.InRange(band.P50, truth * 0.8, truth * 1.2);
        Assert.True(fit.SlopeTStat > PhysicsModelEvaluator.MinTStat, $"{fit}");
        if (tau > t[0])
        {
            Assert.InRange(fit.Tau, tau - 2, tau + 2);
        }
    }

    [Fact]
    public void Early_wear_is_not_read_as_a_steep_exponential()
    {
        // 20 days after the onset the excess is still nearly linear; φ + θ·e^{βt} over the baseline reads it as a
        // steep exponential and forecasts the crossing several times too early, the onset law does not.
        var (t, v) = Window(-20, 0.03, 42);
        var truth = CrossingFrom(-20, 4.5);

        var onset = OnsetExponentialFit.Fit(t, v, Phi, 36)!.Crossing(4.5 - Phi)!.Value.P50;
        var plain = ExponentialFit.Fit(t, v, Phi, 0.06, 48) is { } f
            ? CrossingBand.FromLine(f, Math.Log(4.5 - Phi), ThresholdDirection.Above)!.Value.P50
            : double.NaN;

        Assert.InRange(onset / truth, 0.8, 1.25);
        Assert.True(plain / truth < 0.5, $"plain exponential {plain:0.0} d vs truth {truth:0.0} d");
    }

    [Fact]
    public void Cold_head_wear_from_an_onset_is_forecast_through_the_engine()
    {
        // Stage 2 at 4.1 K until day 30, then 4.1 + 0.1·(e^{0.03(d − 30)} − 1): 4.6 K at day 30 + ln 6/0.03 = 89.7.
        var rng = new Random(43);
        var model = Synthetic.Model("mri-coldhead-stage2", Modality.Mri);
        var device = Synthetic.Device(Modality.Mri, Synthetic.Config(Modality.Mri, model));

        Synthetic.Run(device, Synthetic.Signal("coldhead_stage2_k", 0, 70, 12, d => d < 30 ? 4.1 : 4.1 + 0.1 * (Math.Exp(0.03 * (d - 30)) - 1), 0.01, rng), 70);

        var f = Synthetic.Find(device, "mri-coldhead-stage2")!.Forecast!;
        Assert.Equal("onset-exponential:mri-coldhead-stage2", f.Model);
        Assert.InRange(f.Parameters["phi"], 4.09, 4.11);
        Assert.InRange(f.Parameters["beta"], 0.02, 0.04);
        Assert.InRange(Synthetic.FitP50(f), 19.7 * 0.8, 19.7 * 1.2);
        Assert.Contains("rising exponentially since", Synthetic.Find(device, "mri-coldhead-stage2")!.Summary);
    }

    [Fact]
    public void Days_after_an_onset_the_rise_is_read_as_a_line_from_the_onset()
    {
        // Anode vibration 1 mm/s until day 30, then 1 + 2·(e^{0.05(d − 30)} − 1): 4.5 mm/s at day 50.2. Five days
        // after the onset the curvature is lost in the noise, so β is not significant: the forecast is the line from
        // the onset, which errs late for accelerating wear, instead of an exponential fitted to noise.
        var rng = new Random(46);
        var device = Synthetic.Device(Modality.Ct, Synthetic.Config(Modality.Ct, Synthetic.Model("ct-anode-bearing", Modality.Ct)));

        Synthetic.Run(device, Synthetic.Signal("anode_vibration_mm_s", 0, 35, 12, d => d < 30 ? 1 : 1 + 2 * double.ExpM1(0.05 * (d - 30)), 0.1, rng), 35);

        var e = Synthetic.Find(device, "ct-anode-bearing")!;
        var f = e.Forecast!;
        Assert.Contains("(onset)", e.Summary);
        Assert.DoesNotContain("exponentially", e.Summary);
        Assert.InRange(f.Parameters["tau_days"], -6, -4);
        Assert.InRange(Synthetic.FitP50(f), 15.2, 60);
    }

    [Fact]
    public void A_rise_faster_than_the_wear_can_have_is_an_event_not_wear()
    {
        // A compressor trip: the 2nd stage climbs from 4.1 K to ~13 K in four days, doubling its excess every 0.53 d.
        // Fitted freely, that is an onset exponential doubling in well under 2 days; with a 2-day floor on the doubling
        // time (wear takes weeks to months) it is no forecast at all.
        var (t, _) = Window(-20, 0, 45);
        var rng = new Random(45);
        var v = t.Select(x => (x < -4 ? 4.1 : 4.1 + 0.05 * double.ExpM1(1.3 * (x + 4))) + Normal.Sample(rng, 0, 0.01)).ToArray();

        var free = OnsetExponentialFit.Fit(t, v, 4.1, 36, minDoublingDays: 0.1);
        var wear = OnsetExponentialFit.Fit(t, v, 4.1, 36, minDoublingDays: 2);

        Assert.NotNull(free);
        Assert.True(Math.Log(2) / free.Beta < 2, $"{free}");
        Assert.Null(wear);
    }

    [Fact]
    public void Minimum_doubling_time_reads_from_config()
    {
        var model = Synthetic.Model("mri-coldhead-stage2", Modality.Mri);

        Assert.Equal(PhysicsLaw.OnsetExponential, model.Law);
        Assert.Equal(2, model.MinDoublingDays);
    }

    [Fact]
    public void A_signal_at_its_baseline_gives_no_forecast()
    {
        var rng = new Random(44);
        var model = Synthetic.Model("ct-anode-bearing", Modality.Ct);
        var device = Synthetic.Device(Modality.Ct, Synthetic.Config(Modality.Ct, model));

        Synthetic.Run(device, Synthetic.Signal("anode_vibration_mm_s", 0, 40, 12, _ => 1.2, 0.1, rng), 40);

        Assert.Null(Synthetic.Find(device, "ct-anode-bearing"));
    }

    [Fact]
    public void The_law_reads_from_config_and_needs_growth_above()
    {
        Assert.True(PhysicsLawNames.TryParse("onset-exponential", out var law));
        Assert.Equal(PhysicsLaw.OnsetExponential, law);
        Assert.Equal("onset-exponential", law.ToConfig());
        Assert.True(new PhysicsModel { Id = "m", Component = "c", Law = law }.NeedsBaseline);
    }
}
