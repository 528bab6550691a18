using EquipmentTwin.Analytics.Physics.Fitting;
using EquipmentTwin.Core.WireFormat;
using MathNet.Numerics.Distributions;

namespace EquipmentTwin.Analytics.Tests.Physics;

public class PoissonRateLawTests
{
    private static readonly double[] Days = Enumerable.Range(0, 60).Select(i => -(60 - i - 0.5)).ToArray();

    [Fact]
    public void Poisson_regression_on_expected_counts_is_exact()
    {
        var counts = Days.Select(t => 6 * Math.Exp(0.05 * t)).ToArray();

        var fit = PoissonRateFit.Fit(Days, counts, 14, 5)!.Value;

        Assert.Equal(Math.Log(6), fit.A, 6);
        Assert.Equal(0.05, fit.B, 6);
    }

    [Fact]
    public void Poisson_rate_fit_recovers_growth_and_crossing_from_counts()
    {
        // λ(t) = 6·e^{0.05t} events/day (6 today): 12/day in ln 2/0.05 = 13.9 days.
        var truth = Math.Log(2) / 0.05;
        var hits = 0;
        for (var seed = 0; seed < 20; seed++)
        {
            var rng = new Random(400 + seed);
            var counts = Days.Select(t => (double)Poisson.Sample(rng, 6 * Math.Exp(0.05 * t))).ToArray();
            var fit = PoissonRateFit.Fit(Days, counts, 14, 5)!.Value;
            var band = CrossingBand.FromLine(fit, Math.Log(12), EquipmentTwin.Analytics.Engines.ThresholdDirection.Above)!.Value;
            Assert.InRange(fit.B, 0.03, 0.07);
            Assert.InRange(Math.Exp(fit.A), 4, 9);
            hits += band.P10 <= truth && truth <= band.P90 ? 1 : 0;
        }

        Assert.True(hits >= 14, $"{hits}/20 bands held the true crossing");
    }

    [Fact]
    public void Gradient_amplifier_trip_rate_growth_is_forecast_through_the_engine()
    {
        // 1.7 trips/day today, ×e^{0.08} a day: 2/day (the shipped threshold) in ln(2/1.7)/0.08 = 2.0 days.
        var rng = new Random(41);
        var device = Synthetic.Device(Modality.Mri, Synthetic.Shipped);

        var heartbeat = Synthetic.Signal("he_level_pct", 0, 45, 1, _ => 85, 0.5, rng);
        Synthetic.Run(device, Synthetic.Events("MR-GRD-501", 0, 45, d => 1.7 * Math.Exp(0.08 * (d - 45)), rng).Concat(heartbeat), 45);

        var e = Synthetic.Find(device, "mri-gradient-amp-trips");
        Assert.NotNull(e);
        var f = e!.Forecast!;
        Assert.Equal("MR-GRD-501", f.Signal);
        Assert.Equal(2, f.Threshold);
        Assert.Equal("poisson-rate:mri-gradient-amp-trips", f.Model);
        Assert.InRange(f.Parameters["kappa"], 0.05, 0.11);
        Assert.InRange(Synthetic.FitP50(f), 0, 6);
        Assert.Contains("days", e!.Summary);
    }

    [Fact]
    public void Steady_trip_rate_gives_no_forecast()
    {
        var rng = new Random(42);
        var device = Synthetic.Device(Modality.Mri, Synthetic.Shipped);

        var heartbeat = Synthetic.Signal("he_level_pct", 0, 45, 1, _ => 85, 0.5, rng);
        Synthetic.Run(device, Synthetic.Events("MR-GRD-501", 0, 45, _ => 1.0, rng).Concat(heartbeat), 45);

        Assert.Null(Synthetic.Find(device, "mri-gradient-amp-trips"));
    }
}
