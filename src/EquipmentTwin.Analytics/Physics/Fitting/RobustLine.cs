namespace EquipmentTwin.Analytics.Physics.Fitting;

/// <summary>
/// Weighted least-squares line with iterative rejection of points whose standardised residual exceeds
/// 4 robust σ (1.4826·MAD), so sensor spikes do not make a trend; the covariance is scaled by
/// (1 + ρ)/(1 − ρ) for lag-1 residual autocorrelation ρ > 0 (effective sample size, Bartlett 1946).
/// </summary>
public static class RobustLine
{
    public const double RejectSigmas = 4.0;
    private const int MaxIterations = 6;

    /// <summary>Fits y = a + b·t; <paramref name="w"/> are relative weights (empty = all 1). Null when fewer than <paramref name="minPoints"/> remain.</summary>
    public static LineFit? Fit(ReadOnlySpan<double> t, ReadOnlySpan<double> y, ReadOnlySpan<double> w, int minPoints)
    {
        var n = t.Length;
        if (n < Math.Max(3, minPoints))
        {
            return null;
        }

        var keep = new bool[n];
        Array.Fill(keep, true);
        var residuals = new double[n];
        var scratch = new double[n];
        LineFit? fit = null;
        for (var iter = 0; iter < MaxIterations; iter++)
        {
            fit = Solve(t, y, w, keep);
            if (fit is not { } f || f.N < Math.Max(3, minPoints))
            {
                return null;
            }

            var m = 0;
            for (var i = 0; i < n; i++)
            {
                residuals[i] = (y[i] - f.ValueAt(t[i])) * Sqrt(w, i);
                if (keep[i])
                {
                    scratch[m++] = residuals[i];
                }
            }

            var scale = RobustScale(scratch.AsSpan(0, m));
            if (scale <= 0)
            {
                break;
            }

            var changed = false;
            for (var i = 0; i < n; i++)
            {
                var k = Math.Abs(residuals[i]) <= RejectSigmas * scale;
                changed |= k != keep[i];
                keep[i] = k;
            }

            if (!changed)
            {
                break;
            }
        }

        if (fit is not { } final)
        {
            return null;
        }

        final = Solve(t, y, w, keep) ?? final;
        if (final.N < Math.Max(3, minPoints))
        {
            return null;
        }

        var inflation = AutocorrelationInflation(t, y, w, keep, final);
        return final with
        {
            VarA = final.VarA * inflation,
            VarB = final.VarB * inflation,
            CovAB = final.CovAB * inflation,
            Dropped = n - final.N,
        };
    }

    /// <summary>1.4826·MAD, or 1.2533·mean absolute deviation when most values are equal (quantised signals); 0 if all equal.</summary>
    public static double RobustScale(IReadOnlyList<double> values) => RobustScale(values.ToArray().AsSpan());

    /// <summary>As <see cref="RobustScale(IReadOnlyList{double})"/>; reorders <paramref name="values"/>.</summary>
    public static double RobustScale(Span<double> values)
    {
        if (values.Length == 0)
        {
            return 0;
        }

        var median = Median(values);
        var mean = 0.0;
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = Math.Abs(values[i] - median);
            mean += values[i];
        }

        mean /= values.Length;
        var mad = 1.4826 * Median(values);
        return mad > 0 ? mad : 1.2533 * mean;
    }

    /// <summary>Median by sorting in place.</summary>
    public static double Median(Span<double> values)
    {
        values.Sort();
        var h = values.Length / 2;
        return values.Length % 2 == 1 ? values[h] : 0.5 * (values[h - 1] + values[h]);
    }

    private static double Sqrt(ReadOnlySpan<double> w, int i) => w.IsEmpty ? 1.0 : Math.Sqrt(w[i]);

    private static LineFit? Solve(ReadOnlySpan<double> t, ReadOnlySpan<double> y, ReadOnlySpan<double> w, bool[] keep)
    {
        double sw = 0, st = 0, sy = 0, stt = 0, sty = 0;
        var n = 0;
        for (var i = 0; i < t.Length; i++)
        {
            if (!keep[i])
            {
                continue;
            }

            var wi = w.IsEmpty ? 1.0 : w[i];
            sw += wi;
            st += wi * t[i];
            sy += wi * y[i];
            stt += wi * t[i] * t[i];
            sty += wi * t[i] * y[i];
            n++;
        }

        if (n < 3 || sw <= 0)
        {
            return null;
        }

        // Centre t for numerical stability; A is still the value at t = 0.
        var tm = st / sw;
        var ym = sy / sw;
        var sxx = stt - sw * tm * tm;
        if (sxx <= 1e-12 * Math.Max(1, stt))
        {
            return null;
        }

        var sxy = sty - sw * tm * ym;
        var b = sxy / sxx;
        var a = ym - b * tm;
        double rss = 0, tss = 0;
        for (var i = 0; i < t.Length; i++)
        {
            if (!keep[i])
            {
                continue;
            }

            var wi = w.IsEmpty ? 1.0 : w[i];
            var r = y[i] - a - b * t[i];
            rss += wi * r * r;
            tss += wi * (y[i] - ym) * (y[i] - ym);
        }

        var sigma2 = rss / (n - 2);
        var varB = sigma2 / sxx;
        var varA = sigma2 * (1.0 / sw + tm * tm / sxx);
        var cov = -sigma2 * tm / sxx;
        var r2 = tss > 0 ? 1 - rss / tss : 0;
        return new LineFit(a, b, varA, varB, cov, Math.Sqrt(sigma2), r2, n, 0);
    }

    private static double AutocorrelationInflation(ReadOnlySpan<double> t, ReadOnlySpan<double> y, ReadOnlySpan<double> w, bool[] keep, LineFit fit)
    {
        double num = 0, den = 0, prev = double.NaN;
        for (var i = 0; i < t.Length; i++)
        {
            if (!keep[i])
            {
                continue;
            }

            var r = (y[i] - fit.ValueAt(t[i])) * Sqrt(w, i);
            den += r * r;
            if (!double.IsNaN(prev))
            {
                num += r * prev;
            }

            prev = r;
        }

        if (den <= 0)
        {
            return 1;
        }

        var rho = Math.Clamp(num / den, 0, 0.95);
        return (1 + rho) / (1 - rho);
    }
}
