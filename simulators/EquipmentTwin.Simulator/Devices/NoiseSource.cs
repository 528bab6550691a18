namespace EquipmentTwin.Simulator.Devices;

/// <summary>
/// Fast deterministic noise for sensor readings: xorshift64* uniforms and Gaussians from a fixed table.
/// Seeded from the device's <see cref="Random"/>, so the stream depends only on (seed, device id).
/// </summary>
internal sealed class NoiseSource
{
    private const int TableBits = 16;
    private static readonly double[] GaussTable = BuildTable();
    private readonly double _scale;
    private ulong _state;

    /// <param name="seedSource">Seeds the stream.</param>
    /// <param name="scale">Multiplies every sensor-noise σ (<see cref="Gaussian(double)"/>): a noisier device.</param>
    public NoiseSource(Random seedSource, double scale = 1)
    {
        _state = (ulong)seedSource.NextInt64() | 1UL;
        _scale = scale;
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Standard normal (table of 65,536 quantile points, plus a uniform jitter between neighbours).</summary>
    public double Gaussian() => GaussTable[Next() >> (64 - TableBits)];

    public double Gaussian(double sigma) => _scale * sigma * GaussTable[Next() >> (64 - TableBits)];

    /// <summary>Exponential with the given mean.</summary>
    public double Exponential(double mean) => -mean * Math.Log(1.0 - NextDouble());

    public bool Chance(double probability) => NextDouble() < probability;

    private ulong Next()
    {
        var x = _state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        _state = x;
        return x * 0x2545F4914F6CDD1DUL;
    }

    private static double[] BuildTable()
    {
        // Normal quantiles at the midpoints of 2^16 equal-probability cells: exact marginal distribution, no RNG needed.
        var n = 1 << TableBits;
        var table = new double[n];
        for (var i = 0; i < n; i++)
        {
            table[i] = InverseNormal((i + 0.5) / n);
        }

        // Shuffle deterministically so consecutive indices are not ordered (the index comes from the high bits of xorshift).
        ulong s = 0x9E3779B97F4A7C15UL;
        for (var i = n - 1; i > 0; i--)
        {
            s ^= s >> 12;
            s ^= s << 25;
            s ^= s >> 27;
            var j = (int)((s * 0x2545F4914F6CDD1DUL) % (ulong)(i + 1));
            (table[i], table[j]) = (table[j], table[i]);
        }

        return table;
    }

    /// <summary>Acklam's rational approximation of the normal quantile (relative error &lt; 1.2e-9).</summary>
    internal static double InverseNormal(double p)
    {
        double[] a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00];
        double[] b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01];
        double[] c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00];
        double[] d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00];
        const double low = 0.02425, high = 1 - low;
        if (p < low)
        {
            var q = Math.Sqrt(-2 * Math.Log(p));
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }

        if (p > high)
        {
            var q = Math.Sqrt(-2 * Math.Log(1 - p));
            return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }

        var r = p - 0.5;
        var s = r * r;
        return (((((a[0] * s + a[1]) * s + a[2]) * s + a[3]) * s + a[4]) * s + a[5]) * r / (((((b[0] * s + b[1]) * s + b[2]) * s + b[3]) * s + b[4]) * s + 1);
    }
}
