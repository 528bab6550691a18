namespace EquipmentTwin.Analytics.Anomaly;

/// <summary>
/// Scores a feature vector against the principal subspace of a trained model from the model's own
/// parameters (mean, eigenvectors), in a few hundred multiply-adds and no allocation.
/// </summary>
/// <remarks>
/// ML.NET's PCA score is √(‖r‖²/‖x−μ‖²), the residual as a share of the distance to the mean: it says in
/// which direction a window lies, not how far, so a healthy window with tiny deviations can score 1.
/// Here the same subspace gives the probabilistic-PCA distance (Tipping &amp; Bishop 1999):
/// s² = (Σⱼ tⱼ²/λⱼ + ‖r‖²/σ²) / d, with tⱼ the projections, r the residual, λⱼ the training variance
/// along each component, σ² the mean residual variance per dimension and d the active dimensions; healthy
/// windows score about 1. <see cref="MlNetScore"/> reproduces ML.NET's score from the same numbers.
/// </remarks>
internal sealed class PcaScorer
{
    private readonly float[] _mean;
    private readonly float[][] _eigen;
    private readonly double[] _invLambda;
    private readonly double _invSigma2;
    private readonly bool[] _active;
    private readonly int _activeCount;

    public PcaScorer(float[] mean, float[][] eigenvectors, double[] eigenvalues, double residualVariance, bool[] active)
    {
        _mean = mean;
        _eigen = eigenvectors;
        _invLambda = eigenvalues.Select(l => 1 / Math.Max(l, 1e-12)).ToArray();
        _invSigma2 = 1 / Math.Max(residualVariance, 1e-12);
        _active = active;
        _activeCount = Math.Max(1, active.Count(a => a));
    }

    public int Dimension => _mean.Length;
    public int Rank => _eigen.Length;

    /// <summary>The PPCA score; fills <paramref name="residual"/> (per feature, in feature units) when it is not empty.</summary>
    public double Score(ReadOnlySpan<float> x, Span<double> residual)
    {
        Span<double> t = stackalloc double[_eigen.Length];
        double t2 = 0;
        for (var j = 0; j < _eigen.Length; j++)
        {
            var e = _eigen[j];
            double dot = 0;
            for (var i = 0; i < _mean.Length; i++)
            {
                if (_active[i])
                {
                    dot += e[i] * (double)(x[i] - _mean[i]);
                }
            }

            t[j] = dot;
            t2 += dot * dot * _invLambda[j];
        }

        double q = 0;
        for (var i = 0; i < _mean.Length; i++)
        {
            if (!_active[i])
            {
                if (!residual.IsEmpty)
                {
                    residual[i] = 0;
                }

                continue;
            }

            double r = x[i] - _mean[i];
            for (var j = 0; j < _eigen.Length; j++)
            {
                r -= t[j] * _eigen[j][i];
            }

            q += r * r;
            if (!residual.IsEmpty)
            {
                residual[i] = r;
            }
        }

        return Math.Sqrt((t2 + q * _invSigma2) / _activeCount);
    }

    /// <summary>ML.NET's normalized score √((‖x−μ‖² − Σⱼ tⱼ²)/‖x−μ‖²) over all features, as its scorer computes it.</summary>
    public double MlNetScore(ReadOnlySpan<float> x)
    {
        double n2 = 0;
        for (var i = 0; i < _mean.Length; i++)
        {
            double c = x[i] - _mean[i];
            n2 += c * c;
        }

        double u2 = 0;
        foreach (var e in _eigen)
        {
            double dot = 0;
            for (var i = 0; i < _mean.Length; i++)
            {
                dot += e[i] * (double)(x[i] - _mean[i]);
            }

            u2 += dot * dot;
        }

        return n2 <= 0 ? 0 : Math.Sqrt(Math.Max(0, n2 - u2) / n2);
    }
}
