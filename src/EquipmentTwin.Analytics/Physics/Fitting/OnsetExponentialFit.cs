namespace EquipmentTwin.Analytics.Physics.Fitting;

/// <summary>
/// Wear that starts at an onset τ and grows exponentially from the device's own baseline φ:
/// v(t) = φ for t &lt; τ, v(t) = φ + A·(e^{β(t − τ)} − 1) for t ≥ τ (domain notes §5.4, §6: bearing and cold-head wear
/// rise exponentially from a healthy level). The excess starts at zero, so its first days look nearly linear
/// (A·β·(t − τ)); a fit of φ + θ·e^{βt} reads that start as a steep exponential and forecasts the crossing far too
/// early. τ may lie before the window (wear already under way when the window opens).
/// <para>
/// Fit: for each β on a log grid (doubling times from the floor, 0.5 days unless the model sets one, to 400 days) and
/// each candidate τ (every data point with enough points after it, and steps before the window), A is the closed-form
/// least-squares amplitude; suffix sums make each (β, τ) O(1). The best (β, τ) is refined by Gauss–Newton on (ln A, β)
/// at that τ; the covariance σ²(JᵀJ)⁻¹ is inflated by (1 + ρ)/(1 − ρ) for serially correlated residuals, as for the
/// other laws.
/// </para>
/// </summary>
public sealed record OnsetExponentialFit(double LnA, double Beta, double Tau, double VarLnA, double VarBeta, double Cov, double Sigma, double RSquared, int N)
{
    /// <summary>The fastest doubling a fit may have unless the model says otherwise.</summary>
    public const double DefaultMinDoublingDays = 0.5;

    /// <summary>The slowest doubling on the grid (nearly a straight line over a 30-day window).</summary>
    public const double MaxDoublingDays = 400;

    private const int BetaSteps = 48;
    private const int StepsBeforeWindow = 24;
    private const int GaussNewtonIterations = 30;
    private static readonly double MinBeta = Math.Log(2) / MaxDoublingDays;

    public double A => Math.Exp(LnA);

    /// <summary>Excess over the baseline at <paramref name="t"/> (days, 0 = now).</summary>
    public double ExcessAt(double t) => Excess(t, A, Beta, Tau);

    /// <summary>dv/dt now (t = 0).</summary>
    public double SlopeNow => 0 < Tau ? 0 : A * Beta * Math.Exp(-Beta * Tau);

    /// <summary>slope now / SE(slope now), by the delta method on ln(slope) = ln A + ln β − β·τ.</summary>
    public double SlopeTStat
    {
        get
        {
            if (0 < Tau)
            {
                return 0;
            }

            var gb = 1 / Beta - Tau;
            var v = VarLnA + gb * gb * VarBeta + 2 * gb * Cov;
            return v > 0 && double.IsFinite(v) ? 1 / Math.Sqrt(v) : 0;
        }
    }

    /// <summary>Days from now until the excess reaches <paramref name="excess"/>, with its SD by the delta method.</summary>
    public CrossingBand? Crossing(double excess)
    {
        if (!(excess > 0))
        {
            return null;
        }

        var r = excess / A;
        var l = Math.Log(1 + r);
        var t = Tau + l / Beta;
        var ga = -(r / (1 + r)) / Beta;
        var gb = -l / (Beta * Beta);
        var variance = ga * ga * VarLnA + gb * gb * VarBeta + 2 * ga * gb * Cov;
        return double.IsFinite(t) ? CrossingBand.FromNormal(t, Math.Sqrt(Math.Max(variance, 0))) : null;
    }

    /// <param name="t">Days, ascending, 0 = now.</param>
    /// <param name="v">Values at <paramref name="t"/>.</param>
    /// <param name="phi">The device's baseline.</param>
    /// <param name="minAfter">Fewest points after τ.</param>
    /// <param name="minDoublingDays">The fastest doubling wear may have; null when the best fit wants a faster one.</param>
    public static OnsetExponentialFit? Fit(ReadOnlySpan<double> t, ReadOnlySpan<double> v, double phi, int minAfter, double minDoublingDays = DefaultMinDoublingDays)
    {
        var maxBeta = Math.Log(2) / minDoublingDays;
        var n = t.Length;
        if (n < Math.Max(3, minAfter))
        {
            return null;
        }

        var w = new double[n];
        double sww = 0;
        for (var i = 0; i < n; i++)
        {
            w[i] = v[i] - phi;
            sww += w[i] * w[i];
        }

        var e = new double[n];
        var sufE = new double[n + 1];
        var sufEE = new double[n + 1];
        var sufEW = new double[n + 1];
        var sufW = new double[n + 1];
        double bestRss = double.PositiveInfinity, bestBeta = 0, bestTau = 0;
        var bestK = -1;
        var tLast = t[n - 1];
        var tFirst = t[0];
        var span = Math.Max(tLast - tFirst, 1.0 / 24);
        var lastTauIndex = n - minAfter;
        for (var k = 0; k < BetaSteps; k++)
        {
            var doubling = MaxDoublingDays * Math.Pow(minDoublingDays / MaxDoublingDays, k / (BetaSteps - 1.0));
            var beta = Math.Log(2) / doubling;

            // E_i = e^{β(t_i − t_n−1)} ≤ 1 keeps the sums finite; τ is then measured from the newest point too.
            for (var i = 0; i < n; i++)
            {
                e[i] = Math.Exp(beta * (t[i] - tLast));
            }

            sufE[n] = sufEE[n] = sufEW[n] = sufW[n] = 0;
            for (var i = n - 1; i >= 0; i--)
            {
                sufE[i] = sufE[i + 1] + e[i];
                sufEE[i] = sufEE[i + 1] + e[i] * e[i];
                sufEW[i] = sufEW[i + 1] + e[i] * w[i];
                sufW[i] = sufW[i + 1] + w[i];
            }

            void Try(int from, double tau)
            {
                // g_i = e^{β(t_i − τ)} − 1 = E_i·s − 1 with s = e^{β(t_n−1 − τ)}
                var s = Math.Exp(beta * (tLast - tau));
                if (!double.IsFinite(s * s))
                {
                    return;
                }

                var count = n - from;
                var sgw = s * sufEW[from] - sufW[from];
                var sgg = s * s * sufEE[from] - 2 * s * sufE[from] + count;
                if (!(sgg > 0) || !(sgw > 0))
                {
                    return; // no rise above the baseline after τ
                }

                var rss = sww - sgw * sgw / sgg;
                if (rss < bestRss)
                {
                    bestRss = rss;
                    bestBeta = beta;
                    bestTau = tau;
                    bestK = k;
                }
            }

            for (var j = StepsBeforeWindow; j >= 1; j--)
            {
                Try(0, tFirst - j * span / 6);
            }

            for (var i = 0; i <= lastTauIndex; i++)
            {
                Try(i, t[i]);
            }
        }

        // the best rise is the fastest the wear may have: the data show an event, not wear
        return double.IsFinite(bestRss) && bestK < BetaSteps - 1 ? Refine(t, v, phi, bestBeta, bestTau, maxBeta) : null;
    }

    private static OnsetExponentialFit? Refine(ReadOnlySpan<double> t, ReadOnlySpan<double> v, double phi, double beta, double tau, double maxBeta)
    {
        var n = t.Length;

        // closed-form amplitude at the grid point as the start
        double sgw = 0, sgg = 0;
        for (var i = 0; i < n; i++)
        {
            if (t[i] >= tau)
            {
                var g = double.ExpM1(beta * (t[i] - tau));
                sgw += g * (v[i] - phi);
                sgg += g * g;
            }
        }

        if (!(sgw > 0) || !(sgg > 0))
        {
            return null;
        }

        double a = Math.Log(sgw / sgg), b = beta;
        var (j11, j12, j22, g1, g2, rss) = Normal(t, v, phi, a, b, tau);
        var startRss = rss;
        for (var iter = 0; iter < GaussNewtonIterations; iter++)
        {
            var det = j11 * j22 - j12 * j12;
            if (!(det > 0))
            {
                break;
            }

            var stepA = (j22 * g1 - j12 * g2) / det;
            var stepB = (j11 * g2 - j12 * g1) / det;
            if (!double.IsFinite(stepA) || !double.IsFinite(stepB))
            {
                break;
            }

            // damped: β stays on the grid's range, the step inside a trust region, and the RSS must not grow
            var scale = 1.0;
            var moved = false;
            while (scale > 1e-6)
            {
                var na = a + scale * stepA;
                var nb = Math.Clamp(b + scale * stepB, MinBeta, maxBeta);
                if (Math.Abs(scale * stepA) <= 2 && Rss(t, v, phi, na, nb, tau) <= rss)
                {
                    moved = Math.Abs(na - a) > 1e-10 || Math.Abs(nb - b) > 1e-12;
                    a = na;
                    b = nb;
                    break;
                }

                scale /= 2;
            }

            (j11, j12, j22, g1, g2, rss) = Normal(t, v, phi, a, b, tau);
            if (!moved)
            {
                break;
            }
        }

        if (!(rss <= startRss) || b >= maxBeta * (1 - 1e-9))
        {
            return null; // worse than the grid, or a rise faster than the wear can have
        }

        var d = j11 * j22 - j12 * j12;
        if (!(d > 0) || n < 4)
        {
            return null;
        }

        var sigma2 = rss / (n - 3);
        var amplitude = Math.Exp(a);
        var residuals = new double[n];
        for (var i = 0; i < n; i++)
        {
            residuals[i] = v[i] - phi - Excess(t[i], amplitude, b, tau);
        }

        var inflation = Residuals.SerialInflation(residuals);
        return new OnsetExponentialFit(
            a,
            b,
            tau,
            inflation * sigma2 * j22 / d,
            inflation * sigma2 * j11 / d,
            -inflation * sigma2 * j12 / d,
            Math.Sqrt(sigma2),
            Residuals.RSquared(v, rss),
            n);
    }

    /// <summary>A·(e^{β(t − τ)} − 1) from the onset τ, 0 before it.</summary>
    private static double Excess(double t, double amplitude, double beta, double tau) => t < tau ? 0 : amplitude * double.ExpM1(beta * (t - tau));

    private static double Rss(ReadOnlySpan<double> t, ReadOnlySpan<double> v, double phi, double a, double b, double tau)
    {
        var amp = Math.Exp(a);
        double rss = 0;
        for (var i = 0; i < t.Length; i++)
        {
            var r = v[i] - phi - Excess(t[i], amp, b, tau);
            rss += r * r;
        }

        return rss;
    }

    /// <summary>JᵀJ, Jᵀr and the RSS of the residuals at (ln A, β), τ fixed.</summary>
    private static (double J11, double J12, double J22, double G1, double G2, double Rss) Normal(ReadOnlySpan<double> t, ReadOnlySpan<double> v, double phi, double a, double b, double tau)
    {
        double j11 = 0, j12 = 0, j22 = 0, g1 = 0, g2 = 0, rss = 0;
        var amp = Math.Exp(a);
        for (var i = 0; i < t.Length; i++)
        {
            double model = 0, db = 0;
            if (t[i] >= tau)
            {
                var x = b * (t[i] - tau);
                model = amp * double.ExpM1(x);
                db = amp * (t[i] - tau) * Math.Exp(x);
            }

            var r = v[i] - phi - model;
            j11 += model * model;
            j12 += model * db;
            j22 += db * db;
            g1 += model * r;
            g2 += db * r;
            rss += r * r;
        }

        return (j11, j12, j22, g1, g2, rss);
    }
}
