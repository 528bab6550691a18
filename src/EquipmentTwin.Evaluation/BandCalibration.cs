using System.Globalization;
using MathNet.Numerics.Distributions;

namespace EquipmentTwin.Evaluation;

/// <summary>The calibrated model-form spread and what it rests on.</summary>
public sealed record BandCalibrationResult(double Spread, double SpreadUsed, int Forecasts, double Coverage, IReadOnlyList<int> Seeds, double CoverageBefore);

/// <summary>The per-quantile band table and what it rests on: the held-out log errors ln(t/P50) it was read from.</summary>
public sealed record BandQuantileCalibration(IReadOnlyDictionary<string, double> BandQuantiles, int Forecasts, IReadOnlyList<int> Seeds, IReadOnlyDictionary<string, double> CoverageOnCalibration);

/// <summary>
/// Split-conformal calibration of the physics band (Vovk et al. 2005; Lei et al. 2018): on backtests of
/// calibration seeds, each foreseen failure whose alert carried a physics forecast gives the model-form
/// log-spread s_i that would just have put the true crossing on the edge of the 80 % band
/// (|ln(t/P50)| = z₀.₉·√(s_fit² + s_i²), s_fit read back from the band by removing the spread it was made
/// with). The spread used from then on is the ⌈(n+1)·0.8⌉-th smallest s_i, so a new forecast exchangeable
/// with those lands in its 80 % band with probability ≥ 0.8.
/// </summary>
public static class BandCalibration
{
    private static readonly double Z90 = Normal.InvCDF(0, 1, 0.9);

    /// <summary>
    /// Per-quantile split-conformal calibration (Vovk et al. 2005; one-sided conformal quantiles as in Romano et al.
    /// 2019): the held-out errors e_i = ln(t_i/P50_i) of every foreseen failure whose alert carried a trend forecast
    /// (Weibull forecasts, whose quantiles come from their survival law, are left out). For a level q below one half the
    /// offset is the ⌊(n+1)q⌋-th smallest e_i, above one half the ⌈(n+1)q⌉-th, the median at one half: a new
    /// exchangeable error falls below the q offset with probability ≤ q (lower) or ≥ q (upper), so each central band
    /// holds at least its level. Reports must come from runs without a quantile table (P50 is then the fit's).
    /// </summary>
    public static BandQuantileCalibration CalibrateQuantiles(IReadOnlyList<BacktestReport> calibrationRuns, string view = "physics")
    {
        var errors = new List<double>();
        foreach (var run in calibrationRuns)
        {
            foreach (var f in run.Faults)
            {
                var computed = f.Band.TryGetValue(view, out var band) ? band?.Computed ?? f.FirstAlert.GetValueOrDefault(view) : null;
                if (f.Failure is null || band is null || computed is null || band.Model.StartsWith("weibull-usage:", StringComparison.Ordinal))
                {
                    continue;
                }

                double Ms(string t) => DateTimeOffset.Parse(t, CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
                var at = Ms(computed);
                double d50 = Ms(band.P50) - at, t = Ms(f.Failure) - at;
                if (d50 > 0 && t > 0)
                {
                    errors.Add(Math.Log(t / d50));
                }
            }
        }

        var seeds = calibrationRuns.Select(r => r.Seed).ToArray();
        if (errors.Count < 3)
        {
            throw new InvalidOperationException($"{errors.Count} forecasts of failures in the calibration runs: too few to calibrate quantiles");
        }

        errors.Sort();
        var n = errors.Count;
        var offsets = Analytics.Physics.BandQuantiles.Levels.Select(q =>
            q < 0.5 ? errors[Math.Clamp((int)Math.Floor((n + 1) * q), 1, n) - 1]
            : q > 0.5 ? errors[Math.Clamp((int)Math.Ceiling((n + 1) * q), 1, n) - 1]
            : BacktestScorer.Quantile(errors, 0.5)).ToArray();
        var table = Analytics.Physics.BandQuantiles.Levels.Zip(offsets).ToDictionary(p => p.First.ToString("0.00", CultureInfo.InvariantCulture), p => Math.Round(p.Second, 4));
        double Covered(double lo, double hi) => Math.Round((double)errors.Count(e => e >= lo && e <= hi) / n, 3);
        var coverage = new Dictionary<string, double>
        {
            ["50"] = Covered(offsets[2], offsets[4]),
            ["80"] = Covered(offsets[1], offsets[5]),
            ["90"] = Covered(offsets[0], offsets[6]),
        };
        return new BandQuantileCalibration(table, n, seeds, coverage);
    }

    public static BandCalibrationResult Calibrate(IReadOnlyList<BacktestReport> calibrationRuns, double spreadUsed, string view = "physics", double coverage = 0.8)
    {
        var needed = new List<double>();
        var inside = 0;
        foreach (var run in calibrationRuns)
        {
            foreach (var f in run.Faults)
            {
                // Reports written before the computation time was recorded: the forecast came with the alert's first naming.
                var computed = f.Band.TryGetValue(view, out var band) ? band?.Computed ?? f.FirstAlert.GetValueOrDefault(view) : null;
                if (f.Failure is null || band is null || computed is null)
                {
                    continue;
                }

                double Ms(string t) => DateTimeOffset.Parse(t, CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
                var at = Ms(computed);
                double d50 = Ms(band.P50) - at, d90 = Ms(band.P90) - at, t = Ms(f.Failure) - at;
                if (d50 <= 0 || d90 <= d50 || t <= 0)
                {
                    continue;
                }

                var total = Math.Log(d90 / d50) / Z90;
                var fit2 = Math.Max(0, total * total - spreadUsed * spreadUsed);
                var z = Math.Log(t / d50) / Z90;
                needed.Add(Math.Sqrt(Math.Max(0, z * z - fit2)));
                inside += Math.Abs(Math.Log(t / d50)) <= Z90 * total ? 1 : 0;
            }
        }

        if (needed.Count == 0)
        {
            return new BandCalibrationResult(spreadUsed, spreadUsed, 0, double.NaN, calibrationRuns.Select(r => r.Seed).ToArray(), double.NaN);
        }

        needed.Sort();
        var rank = Math.Min(needed.Count, (int)Math.Ceiling((needed.Count + 1) * coverage));
        var spread = needed[rank - 1];
        return new BandCalibrationResult(Math.Round(spread, 3), spreadUsed, needed.Count, Math.Round((double)needed.Count(s => s <= spread) / needed.Count, 3),
            calibrationRuns.Select(r => r.Seed).ToArray(), Math.Round((double)inside / needed.Count, 3));
    }
}
