using EquipmentTwin.Analytics.Engines;
using EquipmentTwin.Analytics.Physics;
using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Evaluation.Tests;

/// <summary>Per-quantile split-conformal bands: calibrated on held-out errors, they hold 50 % and 80 % together where one log-normal spread cannot.</summary>
public class BandQuantileCalibrationTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static string At(double days) => WireCodec.FormatRfc3339(T0.ToUnixTimeMilliseconds() + (long)(days * 86_400_000));

    /// <summary>Log errors ln(t/P50) with tails much heavier than a log-normal's: Laplace-like, with a 20 % chance of a long late tail.</summary>
    private static double[] Errors(int n, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ =>
        {
            var u = rng.NextDouble() - 0.5;
            var laplace = -0.3 * Math.Sign(u) * Math.Log(1 - 2 * Math.Abs(u));
            return rng.NextDouble() < 0.2 ? 1.0 + 1.5 * rng.NextDouble() : laplace;
        }).ToArray();
    }

    private static BacktestReport Report(IEnumerable<double> errors, int seed, string model = "linear:m")
    {
        var faults = errors.Select((e, k) => new FaultScore($"f{k}", "d", "c", "s", "machine", At(-5), At(10 * Math.Exp(e)), null,
            new Dictionary<string, string?>(), new Dictionary<string, double?>(), new Dictionary<string, bool?>(),
            new Dictionary<string, BandDto?> { ["physics"] = new BandDto(At(5), At(10), At(20), model, At(0)) })).ToList();
        return new BacktestReport("f", seed, 100, At(0), At(100), 1, 3, new Dictionary<string, EngineScore>(), faults, [], new BacktestTiming(0, 0, 0, 0));
    }

    private static Forecast Forecast(double[] q) =>
        new Forecast("c", "s", 1, ThresholdDirection.Above, Ms(q[1]), Ms(q[3]), Ms(q[5]), "linear:m", new Dictionary<string, double>(), 1, 10, T0.ToUnixTimeMilliseconds())
        { P05Ms = Ms(q[0]), P25Ms = Ms(q[2]), P75Ms = Ms(q[4]), P95Ms = Ms(q[6]) };

    private static long Ms(double days) => T0.ToUnixTimeMilliseconds() + (long)(days * 86_400_000);

    [Fact]
    public void Quantile_table_from_two_calibration_seeds_holds_fifty_and_eighty_percent_on_fresh_errors_where_one_spread_cannot()
    {
        var table = BandCalibration.CalibrateQuantiles([Report(Errors(60, 1), 201), Report(Errors(60, 2), 202)]);
        Assert.Equal(120, table.Forecasts);
        Assert.Equal([201, 202], table.Seeds);
        var quantiles = BandQuantiles.FromOffsets(BandQuantiles.Levels.Select(l => table.BandQuantiles[l.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)]).ToArray());
        Assert.True(quantiles.IsMonotone);

        // Fresh errors, scored the way the backtest scores a forecast that states its quantiles.
        var fresh = Errors(4000, 3);
        var q = quantiles.Apply(10, 0);
        var pit = fresh.Select(e => BacktestScorer.Pit(Forecast(q), Ms(10 * Math.Exp(e)))).ToArray();
        double Coverage(double level) => (double)pit.Count(u => Math.Abs(u - 0.5) <= level / 2 + 1e-9) / pit.Length;
        Assert.InRange(Coverage(0.5), 0.42, 0.58);
        Assert.InRange(Coverage(0.8), 0.75, 0.88);
        Assert.InRange(Coverage(0.9), 0.85, 0.97);

        // One log-normal spread calibrated for 80 % on the same errors over-covers the 50 % band.
        var spread = BandCalibration.Calibrate([Report(Errors(60, 1), 201), Report(Errors(60, 2), 202)], spreadUsed: 1e-6).Spread;
        var z90 = 1.2815515655446004;
        var lognormal = new Forecast("c", "s", 1, ThresholdDirection.Above, Ms(10 * Math.Exp(-z90 * spread)), Ms(10), Ms(10 * Math.Exp(z90 * spread)), "linear:m", new Dictionary<string, double>(), 1, 10, T0.ToUnixTimeMilliseconds());
        var single = fresh.Select(e => BacktestScorer.Pit(lognormal, Ms(10 * Math.Exp(e)))).Count(u => Math.Abs(u - 0.5) <= 0.25) / (double)fresh.Length;
        Assert.True(single > 0.58, $"one spread held {single:0.00} in its 50 % band");
    }

    [Fact]
    public void Weibull_forecasts_are_left_out_and_too_few_forecasts_are_refused()
    {
        var mixed = Report(Errors(10, 4), 201, "weibull-usage:ct-tube-life");
        Assert.Throws<InvalidOperationException>(() => BandCalibration.CalibrateQuantiles([mixed]));
        Assert.Equal(10, BandCalibration.CalibrateQuantiles([mixed, Report(Errors(10, 5), 202)]).Forecasts);
    }

    [Fact]
    public void Quantile_band_is_never_narrower_than_the_fit_itself()
    {
        var table = new BandQuantiles(-0.2, -0.15, -0.05, 0.0, 0.05, 0.15, 0.2);
        var tight = table.Apply(10, 0.01);
        Assert.Equal(10 * Math.Exp(-0.15), tight[1], 6);
        Assert.Equal(10 * Math.Exp(0.15), tight[5], 6);

        var wide = table.Apply(10, 1.0);
        Assert.Equal(10 * Math.Exp(-1.2815515655446004), wide[1], 6);
        Assert.Equal(10 * Math.Exp(0.6744897501960817), wide[4], 6);
        Assert.True(wide.Zip(wide.Skip(1)).All(p => p.First <= p.Second));
    }
}
