using EquipmentTwin.Analytics.Engines;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearRegression;

namespace EquipmentTwin.Analytics.Physics.Fitting;

/// <summary>
/// Level after a failure whose loss rate saturates (domain notes §5.1): r(s) = r1 + (r∞ − r1)(1 − e^{−s/Ts}),
/// so y(s) = c + b1·s + Δb·g(s) with g(s) = s − Ts(1 − e^{−s/Ts}), s = t − τ. Linear in (c, b1, Δb) for a
/// given Ts, fitted by QR least squares; the slopes are signed (negative for a falling level).
/// </summary>
public sealed record SaturatingRateFit(double Tau, double Ts, Vector<double> Theta, Matrix<double> Covariance, double Rss, double RSquared, int N)
{
    public double C => Theta[0];
    public double InitialSlope => Theta[1];
    public double FinalSlope => Theta[1] + Theta[2];

    public double ValueAt(double t) => C + Theta[1] * S(t) + Theta[2] * G(S(t));

    public double SlopeAt(double t) => Theta[1] + Theta[2] * (1 - Math.Exp(-S(t) / Ts));

    /// <summary>BIC with 3 parameters, comparable with a line's n·ln(RSS/n) + 2·ln n on the same points.</summary>
    public double Bic => N * Math.Log(Math.Max(Rss / N, 1e-300)) + 3 * Math.Log(N);

    public static SaturatingRateFit? Fit(ReadOnlySpan<double> t, ReadOnlySpan<double> y, double tau, double ts)
    {
        var n = t.Length;
        if (n < 8)
        {
            return null;
        }

        var x = Matrix<double>.Build.Dense(n, 3);
        var v = Vector<double>.Build.Dense(n);
        for (var i = 0; i < n; i++)
        {
            var s = Math.Max(0, t[i] - tau);
            x[i, 0] = 1;
            x[i, 1] = s;
            x[i, 2] = s - ts * (1 - Math.Exp(-s / ts));
            v[i] = y[i];
        }

        Vector<double> theta;
        try
        {
            theta = MultipleRegression.QR(x, v);
        }
        catch (ArgumentException)
        {
            return null;
        }

        var residual = v - x * theta;
        var rss = residual.DotProduct(residual);
        var mean = v.Average();
        var tss = v.Sum(e => (e - mean) * (e - mean));
        var xtx = x.TransposeThisAndMultiply(x);
        if (Math.Abs(xtx.Determinant()) < 1e-12)
        {
            return null;
        }

        var cov = xtx.Inverse() * (rss / (n - 3));
        if (!theta.All(double.IsFinite))
        {
            return null;
        }

        return new SaturatingRateFit(tau, ts, theta, cov, rss, tss > 0 ? 1 - rss / tss : 0, n);
    }

    /// <summary>Crossing of <paramref name="threshold"/> after now (t = 0) by bisection, band by the delta method.</summary>
    public CrossingBand? Crossing(double threshold, ThresholdDirection direction, double maxDays)
    {
        var toward = CrossingBand.Toward(direction);
        if (toward * SlopeAt(0) <= 0 || toward * FinalSlope <= 0)
        {
            return null; // slope between these two for all later t: monotone toward the threshold only if both point there
        }

        if (toward * (ValueAt(0) - threshold) >= 0)
        {
            return Band(0);
        }

        if (toward * (ValueAt(maxDays) - threshold) < 0)
        {
            return null; // not within reach of the forecast
        }

        double lo = 0, hi = maxDays;
        for (var i = 0; i < 60; i++)
        {
            var mid = 0.5 * (lo + hi);
            if (toward * (ValueAt(mid) - threshold) < 0)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }

        return Band(0.5 * (lo + hi));

        CrossingBand Band(double tStar)
        {
            var s = S(tStar);
            var g = Vector<double>.Build.DenseOfArray([1, s, G(s)]);
            var slope = SlopeAt(tStar);
            var variance = g.DotProduct(Covariance * g) / (slope * slope);
            return CrossingBand.FromNormal(tStar, Math.Sqrt(Math.Max(variance, 0)));
        }
    }

    private double S(double t) => Math.Max(0, t - Tau);

    private double G(double s) => s - Ts * (1 - Math.Exp(-s / Ts));
}
