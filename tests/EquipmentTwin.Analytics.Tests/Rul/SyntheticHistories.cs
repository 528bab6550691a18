using System.Globalization;
using System.Text;

namespace EquipmentTwin.Analytics.Tests.Rul;

/// <summary>
/// Run-to-failure histories from a known degradation law, in the manner of C-MAPSS (Saxena et al. 2008): each unit
/// has its own initial wear and lifetime (100–300 cycles, a factor of three); health d(t) = w₀ + (1 − w₀)·e^{k(t/T − 1)}
/// reaches 1 at failure; four operating regimes (two setting columns) shift every sensor far more than wear does;
/// six sensors read d with gains of either sign and noise; one sensor is pure noise; one column is constant.
/// </summary>
internal static class SyntheticHistories
{
    private static readonly double[][] Regimes = [[0, 100], [20, 80], [35, 60], [42, 100]];
    private static readonly double[] Gains = [8, -5, 12, 3, -0.6, 1.5];
    private static readonly double[] Noise = [1.0, 1.2, 2.5, 0.8, 0.15, 0.6];

    public static string Header => "unit,time,setting1,setting2,constant,s1,s2,s3,s4,s5,s6,noise";

    /// <summary>A training file: every unit to its failure.</summary>
    public static string Training(int units, int seed) => Build(units, seed, truncate: false, out _);

    /// <summary>A prediction file: each unit cut at a random cycle before failure; <paramref name="trueRul"/> per unit.</summary>
    public static string Prediction(int units, int seed, out Dictionary<string, double> trueRul) => Build(units, seed, truncate: true, out trueRul);

    private static string Build(int units, int seed, bool truncate, out Dictionary<string, double> trueRul)
    {
        var rng = new Random(seed);
        var sb = new StringBuilder(Header).Append('\n');
        trueRul = [];
        for (var u = 0; u < units; u++)
        {
            var id = $"engine-{seed}-{u:000}";
            var life = 100 + (int)(200 * rng.NextDouble());
            var w0 = 0.05 * rng.NextDouble();
            const double k = 4;
            var last = truncate ? 2 + rng.Next(life - 3) : life;
            for (var t = 1; t <= last; t++)
            {
                var d = w0 + (1 - w0) * Math.Exp(k * ((double)t / life - 1));
                var r = rng.Next(Regimes.Length);
                var set1 = Regimes[r][0] + 0.002 * Gaussian(rng);
                var set2 = Regimes[r][1] + 0.05 * Gaussian(rng);
                sb.Append(CultureInfo.InvariantCulture, $"{id},{t},{set1:0.0000},{set2:0.00},518.67");
                for (var s = 0; s < Gains.Length; s++)
                {
                    var baseLevel = 100 * (s + 1) + 40 * r * (s % 2 == 0 ? 1 : -0.5);
                    sb.Append(CultureInfo.InvariantCulture, $",{baseLevel + Gains[s] * d + Noise[s] * Gaussian(rng):0.0000}");
                }

                sb.Append(CultureInfo.InvariantCulture, $",{10 + 3 * r + Gaussian(rng):0.0000}\n");
            }

            trueRul[id] = life - last;
        }

        return sb.ToString();
    }

    private static double Gaussian(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
