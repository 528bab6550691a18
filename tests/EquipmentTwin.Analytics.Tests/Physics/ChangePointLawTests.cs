using EquipmentTwin.Analytics.Engines;
using EquipmentTwin.Analytics.Physics.Fitting;
using EquipmentTwin.Core.WireFormat;
using MathNet.Numerics.Distributions;

namespace EquipmentTwin.Analytics.Tests.Physics;

public class ChangePointLawTests
{
    [Fact]
    public void Change_point_is_found_within_a_day_and_post_change_rate_within_ten_percent()
    {
        var rng = new Random(21);
        const double tau = -7.3;
        var t = Synthetic.HourlyTimes(21);
        var y = t.Select(x => (x < tau ? 85 : 85 - 3 * (x - tau)) + Normal.Sample(rng, 0, 0.5)).ToArray();

        var cp = ChangePointFit.Find(t, y, ThresholdDirection.Below, 12)!;

        Assert.True(cp.Accepted);
        Assert.InRange(cp.Tau, tau - 1, tau + 1);
        Assert.InRange(cp.After.B, -3.3, -2.7);
        Assert.InRange(cp.Before.B, -0.2, 0.2);
    }

    [Fact]
    public void Change_point_is_not_accepted_on_a_steady_slope()
    {
        var rng = new Random(22);
        var t = Synthetic.HourlyTimes(21);
        var y = t.Select(x => 80 - 0.1 * x + Normal.Sample(rng, 0, 0.5)).ToArray();

        var cp = ChangePointFit.Find(t, y, ThresholdDirection.Below, 12);

        Assert.False(cp?.Accepted ?? false);
    }

    [Fact]
    public void Saturating_rate_after_the_change_recovers_final_rate_and_crossing()
    {
        // Cooler stop (domain notes §5.1): r1 = 1.5 %/day rising to r∞ = 4 %/day with Ts = 1.5 d, from 80 % at τ.
        var rng = new Random(23);
        const double tau = -6, ts = 1.5, r1 = 1.5, rInf = 4;
        double Level(double x)
        {
            var s = Math.Max(0, x - tau);
            return 80 - r1 * s - (rInf - r1) * (s - ts * (1 - Math.Exp(-s / ts)));
        }

        var t = Enumerable.Range(0, 6 * 24).Select(i => tau + (i + 0.5) / 24.0).ToArray();
        var y = t.Select(x => Level(x) + Normal.Sample(rng, 0, 0.3)).ToArray();
        var truth = 0.0;
        while (Level(truth) > 40)
        {
            truth += 1e-4;
        }

        var fit = SaturatingRateFit.Fit(t, y, tau, ts)!;
        var band = fit.Crossing(40, ThresholdDirection.Below, 200)!.Value;

        Assert.InRange(fit.FinalSlope, -rInf * 1.1, -rInf * 0.9);
        Assert.InRange(band.P50, truth * 0.9, truth * 1.1);
        Assert.True(band.P10 <= truth && truth <= band.P90, $"truth {truth:0.00} outside {band.P10:0.00}-{band.P90:0.00}");
    }

    [Fact]
    public void Helium_loss_after_a_cooler_stop_is_forecast_from_the_change_point()
    {
        var rng = new Random(24);
        var device = Synthetic.Device(Modality.Mri, Synthetic.Shipped);
        // Zero boil-off at 85 % until day 15.3, then −3 %/day; at day 22.3 the level is 64 %: 40 % in 8 days.
        var records = Synthetic.Signal("he_level_pct", 0, 22.3, 4, d => d < 15.3 ? 85 : 85 - 3 * (d - 15.3), 1.0, rng);

        Synthetic.Run(device, records, 22.3);

        var e = Synthetic.Find(device, "mri-helium-level")!;
        var f = e.Forecast!;
        Assert.Equal(40, f.Threshold);
        Assert.Equal(ThresholdDirection.Below, f.Direction);
        Assert.Equal("changepoint-linear:mri-helium-level", f.Model);
        Assert.InRange(f.Parameters["tau_ms"], Synthetic.Day(15.3 - 1), Synthetic.Day(15.3 + 1));
        Assert.InRange(-f.Parameters["slope_per_day"], 2.7, 3.3);
        Assert.InRange(Synthetic.FitP50(f), 7, 9);
        Assert.Equal(Severity.Error, e.Severity);
        Assert.Contains("(change point)", e.Summary);
        Assert.StartsWith("Helium falling", e.Summary);
        Assert.Contains("40 % in", e.Summary);
    }

    [Fact]
    public void Helium_top_off_starts_the_model_afresh()
    {
        var rng = new Random(25);
        var device = Synthetic.Device(Modality.Mri, Synthetic.Shipped);
        Synthetic.Run(device, Synthetic.Signal("he_level_pct", 0, 22.3, 4, d => d < 15.3 ? 85 : 85 - 3 * (d - 15.3), 1.0, rng), 22.3);
        Assert.NotNull(Synthetic.Find(device, "mri-helium-level"));

        device.Process(LogRecord.Event(Synthetic.Day(22.3), "MR-HE-204", Severity.Info, "top-off"));

        Assert.Null(Synthetic.Find(device, "mri-helium-level"));
    }
}
