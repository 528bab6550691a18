namespace EquipmentTwin.Analytics.Physics.Fitting;

/// <summary>
/// v(t) = φ + θ·e^{βt} (domain notes §5.4) with φ the device's baseline. Started in log space,
/// ln(v − φ) = ln θ + β·t by weighted least squares on points with v − φ > ε (weights (v − φ)², since additive
/// noise σ on v is σ/(v − φ) on the log), then refined by Gauss–Newton on v itself: the log of a noisy small
/// excess is biased (E ln(x + e) ≈ ln x − σ²/2x², and only points above ε are kept), which would flatten β.
/// The returned line is in log space: A = ln θ (t = 0 is now), B = β per day, with their covariance.
/// </summary>
public static class ExponentialFit
{
    private const int GaussNewtonIterations = 20;

    public static LineFit? Fit(ReadOnlySpan<double> t, ReadOnlySpan<double> v, double phi, double epsilon, int minPoints)
    {
        var ts = new List<double>(t.Length);
        var zs = new List<double>(t.Length);
        var ws = new List<double>(t.Length);
        for (var i = 0; i < t.Length; i++)
        {
            var excess = v[i] - phi;
            if (excess > epsilon && excess > 0)
            {
                ts.Add(t[i]);
                zs.Add(Math.Log(excess));
                ws.Add(excess * excess);
            }
        }

        if (ts.Count < minPoints)
        {
            return null;
        }

        var maxW = ws.Max();
        for (var i = 0; i < ws.Count; i++)
        {
            ws[i] /= maxW;
        }

        var start = RobustLine.Fit(ts.ToArray(), zs.ToArray(), ws.ToArray(), minPoints);
        return start is { } s ? Refine(t, v, phi, s) ?? s : null;
    }

    /// <summary>Gauss–Newton on v = φ + e^{a + βt} over all points, from the log-space estimate; covariance σ²(JᵀJ)⁻¹.</summary>
    private static LineFit? Refine(ReadOnlySpan<double> t, ReadOnlySpan<double> v, double phi, LineFit start)
    {
        var n = t.Length;
        double a = start.A, b = start.B;
        double j11 = 0, j12 = 0, j22 = 0, rss = 0;
        for (var iter = 0; iter <= GaussNewtonIterations; iter++)
        {
            double g1 = 0, g2 = 0;
            j11 = j12 = j22 = rss = 0;
            for (var i = 0; i < n; i++)
            {
                var e = Math.Exp(a + b * t[i]);
                var r = v[i] - phi - e;
                var da = e;
                var db = e * t[i];
                j11 += da * da;
                j12 += da * db;
                j22 += db * db;
                g1 += da * r;
                g2 += db * r;
                rss += r * r;
            }

            var det = j11 * j22 - j12 * j12;
            if (!(det > 0) || iter == GaussNewtonIterations)
            {
                break;
            }

            var stepA = (j22 * g1 - j12 * g2) / det;
            var stepB = (j11 * g2 - j12 * g1) / det;
            if (!double.IsFinite(stepA) || !double.IsFinite(stepB) || Math.Abs(stepA) > 5 || Math.Abs(stepB) > 1)
            {
                return null;
            }

            a += stepA;
            b += stepB;
            if (Math.Abs(stepA) < 1e-10 && Math.Abs(stepB) < 1e-10)
            {
                // one more pass recomputes J and the residuals at the converged point
                iter = GaussNewtonIterations - 1;
            }
        }

        var d = j11 * j22 - j12 * j12;
        if (!(d > 0) || n < 3)
        {
            return null;
        }

        var sigma2 = rss / (n - 2);
        var residuals = new double[n];
        for (var i = 0; i < n; i++)
        {
            residuals[i] = v[i] - phi - Math.Exp(a + b * t[i]);
        }

        var inflation = Residuals.SerialInflation(residuals);
        return new LineFit(
            a,
            b,
            inflation * sigma2 * j22 / d,
            inflation * sigma2 * j11 / d,
            -inflation * sigma2 * j12 / d,
            Math.Sqrt(sigma2),
            Residuals.RSquared(v, rss),
            n,
            0);
    }
}
