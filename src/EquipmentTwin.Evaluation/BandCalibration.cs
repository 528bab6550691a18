using System.Globalization;
using MathNet.Numerics.Distributions;

namespace EquipmentTwin.Evaluation;

/// <summary>The calibrated model-form spread and what it rests on.</summary>
public sealed record BandCalibrationResult(double Spread, double SpreadUsed, int Forecasts, double Coverage, IReadOnlyList<int> Seeds, double CoverageBefore);

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
