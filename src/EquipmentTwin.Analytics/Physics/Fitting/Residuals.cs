namespace EquipmentTwin.Analytics.Physics.Fitting;

/// <summary>What the nonlinear fits say of their residuals.</summary>
internal static class Residuals
{
    /// <summary>
    /// (1 + ρ)/(1 − ρ), ρ the lag-1 autocorrelation of <paramref name="r"/> clipped to [0, 0.95]: the variance
    /// inflation of serially correlated residuals (the effective-sample-size correction).
    /// </summary>
    public static double SerialInflation(ReadOnlySpan<double> r)
    {
        double num = 0, den = 0;
        for (var i = 0; i < r.Length; i++)
        {
            den += r[i] * r[i];
            if (i > 0)
            {
                num += r[i] * r[i - 1];
            }
        }

        var rho = den > 0 ? Math.Clamp(num / den, 0, 0.95) : 0;
        return (1 + rho) / (1 - rho);
    }

    /// <summary>1 − RSS/TSS of <paramref name="v"/>; 0 when <paramref name="v"/> is constant.</summary>
    public static double RSquared(ReadOnlySpan<double> v, double rss)
    {
        double mean = 0, tss = 0;
        foreach (var x in v)
        {
            mean += x;
        }

        mean /= v.Length;
        foreach (var x in v)
        {
            tss += (x - mean) * (x - mean);
        }

        return tss > 0 ? 1 - rss / tss : 0;
    }

    /// <summary>The residual sum of squares of the ordinary least-squares line through (<paramref name="t"/>, <paramref name="v"/>).</summary>
    public static double LineRss(ReadOnlySpan<double> t, ReadOnlySpan<double> v)
    {
        var n = t.Length;
        double tm = 0, vm = 0;
        for (var i = 0; i < n; i++)
        {
            tm += t[i];
            vm += v[i];
        }

        tm /= n;
        vm /= n;
        double sxx = 0, sxy = 0, syy = 0;
        for (var i = 0; i < n; i++)
        {
            sxx += (t[i] - tm) * (t[i] - tm);
            sxy += (t[i] - tm) * (v[i] - vm);
            syy += (v[i] - vm) * (v[i] - vm);
        }

        return Math.Max(0, sxx > 0 ? syy - sxy * sxy / sxx : syy);
    }
}
