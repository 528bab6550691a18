namespace EquipmentTwin.Analytics.Physics.Fitting;

/// <summary>
/// Wear that starts at an onset τ and progresses linearly from the device's own baseline φ:
/// v(t) = φ for t &lt; τ, v(t) = φ + b·(t − τ) for t ≥ τ (domain notes §6: filament wear, tube cooling and battery fade
/// are linear from an onset; a chiller loss is a ramp). A straight line through a window that still holds the
/// pre-onset level under-reads the slope (it averages the flat part in), so it forecasts the crossing late, and the
/// more so the faster the wear.
/// <para>
/// Fit: for each candidate τ (every data point with at least <c>minAfter</c> points after it and at least one before),
/// b is the closed-form least-squares slope of v − φ on (t − τ)⁺; suffix sums make each τ O(1). Only onsets with at least
/// <c>minAfterDays</c> of data after them are candidates (the span a line needs to tell wear from the scatter of hourly
/// means). The hinge with the least squared error is taken when it lowers BIC (n·ln(RSS/n) + 2·ln n for both: the hinge
/// fits τ and b, the line a and b) below the free line's by <see cref="BicMargin"/>, counted on the effective sample size
/// n·(1 − ρ)/(1 + ρ) of serially correlated residuals: hourly means that wander with the day's work would otherwise
/// let one of hundreds of candidate onsets fit an excursion. Otherwise the onset lies before the window (or the data do
/// not say) and the caller keeps the line. Var(b) = σ²/Σ((t − τ)⁺)², inflated by (1 + ρ)/(1 − ρ) as for the other laws;
/// τ and φ are taken as known.
/// </para>
/// </summary>
public sealed record OnsetLinearFit(double Phi, double B, double Tau, double VarB, double Sigma, double RSquared, int N, double DeltaBic)
{
    /// <summary>How much lower the hinge's BIC must be than the free line's (as for the change-point law).</summary>
    public const double BicMargin = ChangePointFit.BicMargin;

    /// <summary>Whether the hinge explains the window better than a free line by <see cref="BicMargin"/>.</summary>
    public bool Accepted => DeltaBic >= BicMargin;

    /// <summary>
    /// The post-onset segment as a line y = A + B·t (t in days, 0 = now): A = φ − b·τ, with Var(A) = τ²·Var(b) and
    /// Cov(A, B) = −τ·Var(b), so the delta-method crossing band (<see cref="CrossingBand.FromLine"/>) gives
    /// SD(t*) = |t* − τ|·SE(b)/|b|.
    /// </summary>
    public LineFit Line => new(Phi - B * Tau, B, Tau * Tau * VarB, VarB, -Tau * VarB, Sigma, RSquared, N, 0);

    /// <param name="t">Days, ascending, 0 = now.</param>
    /// <param name="v">Values at <paramref name="t"/>.</param>
    /// <param name="phi">The device's baseline (the level before the onset).</param>
    /// <param name="minAfter">Fewest points after τ.</param>
    /// <param name="minAfterDays">Fewest days of data after τ.</param>
    /// <returns>The best hinge, with its BIC gain over the free line; null when there are too few points.</returns>
    public static OnsetLinearFit? Fit(ReadOnlySpan<double> t, ReadOnlySpan<double> v, double phi, int minAfter, double minAfterDays = 0)
    {
        var n = t.Length;
        minAfter = Math.Max(minAfter, 3);
        if (n < minAfter + 1)
        {
            return null;
        }

        // suffix sums over i >= k of 1, t, t², z, t·z (z = v − φ); the prefix part contributes z² only
        var s1 = new double[n + 1];
        var st = new double[n + 1];
        var stt = new double[n + 1];
        var sz = new double[n + 1];
        var stz = new double[n + 1];
        double szz = 0;
        for (var i = n - 1; i >= 0; i--)
        {
            var z = v[i] - phi;
            s1[i] = s1[i + 1] + 1;
            st[i] = st[i + 1] + t[i];
            stt[i] = stt[i + 1] + t[i] * t[i];
            sz[i] = sz[i + 1] + z;
            stz[i] = stz[i + 1] + t[i] * z;
            szz += z * z;
        }

        var best = -1;
        var bestSse = double.MaxValue;
        for (var k = 1; k <= n - minAfter; k++)
        {
            // τ at the last point before the rise: every point from k on has h = t − τ > 0
            var tau = t[k - 1];
            if (t[n - 1] - tau < minAfterDays)
            {
                break;
            }

            var shh = stt[k] - 2 * tau * st[k] + tau * tau * s1[k];
            if (!(shh > 0))
            {
                continue;
            }

            var shz = stz[k] - tau * sz[k];
            var sse = szz - shz * shz / shh;
            if (sse < bestSse)
            {
                bestSse = sse;
                best = k;
            }
        }

        if (best < 0)
        {
            return null;
        }

        var tauBest = t[best - 1];
        var shhBest = stt[best] - 2 * tauBest * st[best] + tauBest * tauBest * s1[best];
        var b = (stz[best] - tauBest * sz[best]) / shhBest;
        var residuals = new double[n];
        var rss = 0.0;
        for (var i = 0; i < n; i++)
        {
            residuals[i] = v[i] - phi - b * Math.Max(0, t[i] - tauBest);
            rss += residuals[i] * residuals[i];
        }

        var sigma2 = rss / Math.Max(1, n - 2);
        var inflation = Residuals.SerialInflation(residuals);
        var varB = sigma2 / shhBest * inflation;
        var floor = 1e-12 * Math.Max(1, szz / n);
        var nEff = n / inflation;
        var bicHinge = nEff * Math.Log(Math.Max(rss / n, floor)) + 2 * Math.Log(nEff);
        var bicLine = nEff * Math.Log(Math.Max(Residuals.LineRss(t, v) / n, floor)) + 2 * Math.Log(nEff);
        return new OnsetLinearFit(phi, b, tauBest, varB, Math.Sqrt(sigma2), Residuals.RSquared(v, rss), n, bicLine - bicHinge);
    }
}
