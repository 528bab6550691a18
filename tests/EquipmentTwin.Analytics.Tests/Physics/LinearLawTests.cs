using EquipmentTwin.Analytics.Engines;
using EquipmentTwin.Analytics.Physics.Fitting;
using EquipmentTwin.Core.WireFormat;
using MathNet.Numerics.Distributions;

namespace EquipmentTwin.Analytics.Tests.Physics;

public class LinearLawTests
{
    // Cold head 2nd stage creeping up 0.01 K/day, 4.35 K now: 4.6 K is crossed in 25 days.
    private const double Slope = 0.01;
    private const double Now = 4.35;
    private const double Threshold = 4.6;
    private const double TrueCrossing = (Threshold - Now) / Slope;

    private static (double[] T, double[] Y) Hourly(double sigma, Random rng, int days = 14)
    {
        var n = days * 24;
        var t = new double[n];
        var y = new double[n];
        for (var i = 0; i < n; i++)
        {
            t[i] = -(n - i - 0.5) / 24.0;
            y[i] = Now + Slope * t[i] + Normal.Sample(rng, 0, sigma);
        }

        return (t, y);
    }

    [Fact]
    public void Linear_fit_recovers_slope_and_time_to_threshold()
    {
        var (t, y) = Hourly(0.02, new Random(1));

        var fit = RobustLine.Fit(t, y, [], 24)!.Value;
        var band = CrossingBand.FromLine(fit, Threshold, ThresholdDirection.Above)!.Value;

        Assert.InRange(fit.B, Slope * 0.95, Slope * 1.05);
        Assert.InRange(fit.A, Now - 0.01, Now + 0.01);
        Assert.True(fit.TStat > 3);
        Assert.InRange(band.P50, TrueCrossing * 0.93, TrueCrossing * 1.07);
        Assert.True(band.P10 < band.P50 && band.P50 < band.P90);
    }

    [Fact]
    public void Band_widens_with_noise()
    {
        double Width(double sigma)
        {
            var (t, y) = Hourly(sigma, new Random(7));
            var band = CrossingBand.FromLine(RobustLine.Fit(t, y, [], 24)!.Value, Threshold, ThresholdDirection.Above)!.Value;
            return band.P90 - band.P10;
        }

        var quiet = Width(0.01);
        var moderate = Width(0.05);
        var loud = Width(0.15);

        Assert.True(quiet < moderate && moderate < loud, $"widths {quiet:0.00} < {moderate:0.00} < {loud:0.00}");
    }

    [Fact]
    public void Band_contains_the_true_crossing_in_most_seeded_runs()
    {
        var contained = 0;
        var runs = 50;
        for (var seed = 0; seed < runs; seed++)
        {
            var (t, y) = Hourly(0.08, new Random(1000 + seed));
            var fit = RobustLine.Fit(t, y, [], 24);
            if (fit is { } f && CrossingBand.FromLine(f, Threshold, ThresholdDirection.Above) is { } band && band.P10 <= TrueCrossing && TrueCrossing <= band.P90)
            {
                contained++;
            }
        }

        Assert.True(contained >= 0.7 * runs, $"{contained}/{runs} bands held the true crossing");
    }

    [Fact]
    public void Spikes_do_not_bend_the_robust_line()
    {
        var rng = new Random(3);
        var t = Enumerable.Range(0, 336).Select(i => -(336 - i - 0.5) / 24.0).ToArray();
        var y = t.Select(_ => 4.2 + Normal.Sample(rng, 0, 0.02)).ToArray();
        y[300] += 3; // late spikes would pull an ordinary least-squares line up steeply
        y[320] += 2.5;
        y[330] += 4;

        var fit = RobustLine.Fit(t, y, [], 24)!.Value;

        Assert.Equal(3, fit.Dropped);
        Assert.True(fit.TStat < 3, $"t = {fit.TStat:0.0}");
    }

    [Fact]
    public void Cold_head_creep_gives_a_forecast_through_the_engine()
    {
        var rng = new Random(11);
        var device = Synthetic.Device(Modality.Mri, Synthetic.Shipped);
        // Healthy 4.1 K for 20 days, then wear: +0.02 K/day. At day 40 the stage is at 4.5 K: 4.6 K in 5 days.
        var records = Synthetic.Signal("coldhead_stage2_k", 0, 40, 12, d => d < 20 ? 4.1 : 4.1 + 0.02 * (d - 20), 0.03, rng);

        Synthetic.Run(device, records, 40);

        var e = Synthetic.Find(device, "mri-coldhead-stage2");
        Assert.NotNull(e);
        Assert.Equal(EngineKind.Physics, e.Engine);
        Assert.Equal("cold_head", e.Component);
        var f = e.Forecast!;
        Assert.Equal("coldhead_stage2_k", f.Signal);
        Assert.Equal(4.6, f.Threshold);
        Assert.Equal(ThresholdDirection.Above, f.Direction);
        // The shipped law fits the wear from its onset (a line over a window that still holds healthy days would lag it).
        Assert.Equal("onset-exponential:mri-coldhead-stage2", f.Model);
        var p50 = Synthetic.FitP50(f);
        Assert.InRange(p50, 4, 6.5);
        Assert.True(f.P10Ms <= f.P50Ms && f.P50Ms <= f.P90Ms);
        Assert.Contains("Cold head 2nd stage rising", e.Summary);
        Assert.Contains(e.Readings, r => r.Name == "slope_per_day" && r.Value > 0);
        Assert.InRange(e.Confidence, 0.5, 1);
        Assert.Equal(f.ComputedAtMs, e.UpdatedMs);
    }

    [Fact]
    public void Trend_away_from_the_threshold_gives_no_forecast()
    {
        var rng = new Random(12);
        var device = Synthetic.Device(Modality.Mri, Synthetic.Shipped);

        Synthetic.Run(device, Synthetic.Signal("coldhead_stage2_k", 0, 30, 12, d => 4.3 - 0.005 * d, 0.02, rng), 30);

        Assert.Null(Synthetic.Find(device, "mri-coldhead-stage2"));
    }

    [Fact]
    public void Relative_threshold_is_taken_from_the_device_baseline()
    {
        var rng = new Random(13);
        var device = Synthetic.Device(Modality.Ct, Synthetic.Shipped);
        // Baseline 4.5 A for the 7 baseline days, then +0.2 %/day of baseline: +10 % (4.95 A) at day 57.
        var records = Synthetic.Signal("filament_current_a", 0, 40, 12, d => d < 7 ? 4.5 : 4.5 + 0.009 * (d - 7), 0.02, rng);

        Synthetic.Run(device, records, 40);

        var f = Synthetic.Find(device, "ct-filament-drift")!.Forecast!;
        Assert.InRange(f.Threshold, 4.95 - 0.01, 4.95 + 0.01);
        Assert.InRange(f.Parameters["baseline"], 4.49, 4.51);
        Assert.InRange(Synthetic.FitP50(f), 15, 19);
    }
}
