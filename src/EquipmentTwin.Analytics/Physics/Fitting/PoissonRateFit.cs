namespace EquipmentTwin.Analytics.Physics.Fitting;

/// <summary>
/// Poisson regression of daily counts on time, λ(t) = λ0·e^{κt} (domain notes §5.7), by iteratively
/// reweighted least squares (log link: z = η + (y − μ)/μ, W = μ). Covariance (XᵀWX)⁻¹ scaled by the Pearson
/// dispersion when the counts are over-dispersed. t in days, 0 = now, so λ0 is today's rate.
/// </summary>
public static class PoissonRateFit
{
    private const int MaxIterations = 50;

    /// <summary>The fit as a line in log space: A = ln λ0, B = κ, with covariance; R² is the deviance pseudo-R².</summary>
    public static LineFit? Fit(ReadOnlySpan<double> t, ReadOnlySpan<double> counts, int minDays, int minEvents)
    {
        var n = t.Length;
        var total = 0.0;
        for (var i = 0; i < n; i++)
        {
            total += counts[i];
        }

        if (n < Math.Max(3, minDays) || total < minEvents)
        {
            return null;
        }

        var b0 = Math.Log(total / n);
        var b1 = 0.0;
        double s0 = 0, s1 = 0, s2 = 0;
        for (var iter = 0; iter < MaxIterations; iter++)
        {
            double sz = 0, stz = 0;
            s0 = s1 = s2 = 0;
            for (var i = 0; i < n; i++)
            {
                var eta = b0 + b1 * t[i];
                var mu = Math.Exp(eta);
                var z = eta + (counts[i] - mu) / mu;
                s0 += mu;
                s1 += mu * t[i];
                s2 += mu * t[i] * t[i];
                sz += mu * z;
                stz += mu * t[i] * z;
            }

            var det = s0 * s2 - s1 * s1;
            if (!(det > 0))
            {
                return null;
            }

            var n0 = (s2 * sz - s1 * stz) / det;
            var n1 = (s0 * stz - s1 * sz) / det;
            if (!double.IsFinite(n0) || !double.IsFinite(n1))
            {
                return null;
            }

            var done = Math.Abs(n0 - b0) < 1e-9 && Math.Abs(n1 - b1) < 1e-9;
            b0 = n0;
            b1 = n1;
            if (done)
            {
                break;
            }
        }

        double pearson = 0, deviance = 0, nullDeviance = 0;
        var mean = total / n;
        s0 = s1 = s2 = 0;
        for (var i = 0; i < n; i++)
        {
            var mu = Math.Exp(b0 + b1 * t[i]);
            s0 += mu;
            s1 += mu * t[i];
            s2 += mu * t[i] * t[i];
            pearson += (counts[i] - mu) * (counts[i] - mu) / mu;
            deviance += Deviance(counts[i], mu);
            nullDeviance += Deviance(counts[i], mean);
        }

        var dispersion = Math.Max(1, pearson / (n - 2));
        var d = s0 * s2 - s1 * s1;
        var varA = dispersion * s2 / d;
        var varB = dispersion * s0 / d;
        var cov = -dispersion * s1 / d;
        var r2 = nullDeviance > 0 ? 1 - deviance / nullDeviance : 0;
        return new LineFit(b0, b1, varA, varB, cov, Math.Sqrt(dispersion), r2, n, 0);
    }

    private static double Deviance(double y, double mu) => 2 * ((y > 0 ? y * Math.Log(y / mu) : 0) - (y - mu));
}
