namespace EquipmentTwin.Analytics.Anomaly;

/// <summary>
/// Scores a feature vector against the principal subspace of a trained model from the model's own
/// parameters (mean, eigenvectors), in a few hundred multiply-adds and no allocation.
/// </summary>
/// <remarks>
/// ML.NET's PCA score is √(‖r‖²/‖x−μ‖²), the residual as a share of the distance to the mean: it says in
/// which direction a window lies, not how far, so a healthy window with tiny deviations can score 1.
/// Here the same subspace gives a probabilistic-PCA distance (Tipping &amp; Bishop 1999) with a diagonal
/// residual (as in factor analysis): s² = (Σⱼ tⱼ²/λⱼ + Σᵢ rᵢ²/vᵢ) / d, with tⱼ the projections, r the
/// residual, λⱼ the training variance along each component, vᵢ the training residual variance of feature i
/// and d the active dimensions; healthy windows score about 1. The per-feature vᵢ is what makes a joint
/// drift visible: signals that always move together leave a tiny residual, so a small move of one
/// against the others is many residual σ away even when each is well inside its own range. <see cref="MlNetScore"/> reproduces ML.NET's score from the same numbers.
/// </remarks>
internal sealed class PcaScorer
{
    private readonly float[] _mean;
    private readonly float[][] _eigen;
    private readonly double[] _invLambda;
    private readonly double[] _invResidual;
    private readonly bool[] _active;
    private readonly int _activeCount;

    public PcaScorer(float[] mean, float[][] eigenvectors, double[] eigenvalues, double[] residualVariances, bool[] active)
    {
        _mean = mean;
        _eigen = eigenvectors;
        _invLambda = eigenvalues.Select(l => 1 / Math.Max(l, 1e-12)).ToArray();
        _invResidual = residualVariances.Select(v => 1 / Math.Max(v, 1e-12)).ToArray();
        _active = active;
        _activeCount = Math.Max(1, active.Count(a => a));
    }

    public int Dimension => _mean.Length;
    public int Rank => _eigen.Length;

    /// <summary>The score of a complete window.</summary>
    public double Score(ReadOnlySpan<float> x) => ScoreComplete(x);

    /// <summary>
    /// The score with the features flagged in <paramref name="missing"/> treated as unknown. Only active features
    /// count: a window whose missing features are all inactive is scored exactly as a complete one. Otherwise the
    /// projection is the probabilistic-PCA posterior mean of the observed active features,
    /// t = (Eₒᵀ Dₒ⁻¹ Eₒ + Λ⁻¹)⁻¹ Eₒᵀ Dₒ⁻¹ cₒ, and s² = (Σⱼ tⱼ²/λⱼ + Σᵢ∈ₒ rᵢ²/vᵢ) / |o|, the Mahalanobis distance of the
    /// observed features under the model's own marginal (Woodbury). A plain least-squares fit on the observed
    /// features is ill-posed when a component lies mostly on unobserved or inactive features (its tⱼ, divided by a
    /// small λⱼ, then dominates the score): the prior keeps tⱼ near 0 when the data say nothing about it, so
    /// masking a sensor removes it from the judgement and can only lower the score.
    /// </summary>
    public double Score(ReadOnlySpan<float> x, ReadOnlySpan<bool> missing)
    {
        var d2 = Distance2(x, missing, out var observed);
        return Math.Sqrt(d2 / Math.Max(1, observed));
    }

    /// <summary>
    /// The squared distance before it is divided by the observed dimensions (s² · |o|), and |o|. Unlike the score,
    /// it can only fall when more features are treated as unknown, which is what attribution by reconstruction needs.
    /// </summary>
    public double Distance2(ReadOnlySpan<float> x, ReadOnlySpan<bool> missing, out int observed)
    {
        if (!AnyActiveMissing(missing))
        {
            observed = _activeCount;
            return Distance2Complete(x);
        }

        var k = _eigen.Length;
        Span<double> t = stackalloc double[k];
        Span<double> a = stackalloc double[k * k];
        observed = 0;
        for (var i = 0; i < _mean.Length; i++)
        {
            if (!_active[i] || missing[i])
            {
                continue;
            }

            observed++;
            var w = _invResidual[i];
            double c = x[i] - _mean[i];
            for (var j = 0; j < k; j++)
            {
                var ej = _eigen[j][i] * w;
                t[j] += ej * c;
                for (var l = 0; l <= j; l++)
                {
                    a[j * k + l] += ej * _eigen[l][i];
                }
            }
        }

        for (var j = 0; j < k; j++)
        {
            a[j * k + j] += _invLambda[j];
        }

        SolveSymmetric(a, t, k);
        double score2 = 0;
        for (var j = 0; j < k; j++)
        {
            score2 += t[j] * t[j] * _invLambda[j];
        }

        for (var i = 0; i < _mean.Length; i++)
        {
            if (!_active[i] || missing[i])
            {
                continue;
            }

            double r = x[i] - _mean[i];
            for (var j = 0; j < k; j++)
            {
                r -= t[j] * _eigen[j][i];
            }

            score2 += r * r * _invResidual[i];
        }

        return score2;
    }

    private bool AnyActiveMissing(ReadOnlySpan<bool> missing)
    {
        for (var i = 0; i < missing.Length; i++)
        {
            if (missing[i] && _active[i])
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The score of a complete window: the plain projection onto the subspace over the active features.</summary>
    private double ScoreComplete(ReadOnlySpan<float> x) => Math.Sqrt(Distance2Complete(x) / _activeCount);

    private double Distance2Complete(ReadOnlySpan<float> x)
    {
        var k = _eigen.Length;
        Span<double> t = stackalloc double[k];
        for (var j = 0; j < k; j++)
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
        }

        double score2 = 0;
        for (var j = 0; j < k; j++)
        {
            score2 += t[j] * t[j] * _invLambda[j];
        }

        for (var i = 0; i < _mean.Length; i++)
        {
            if (!_active[i])
            {
                continue;
            }

            double r = x[i] - _mean[i];
            for (var j = 0; j < k; j++)
            {
                r -= t[j] * _eigen[j][i];
            }

            score2 += r * r * _invResidual[i];
        }

        return score2;
    }

    /// <summary>Solves A t = b in place for symmetric positive semi-definite A (lower triangle filled), by Cholesky with a small ridge.</summary>
    private static void SolveSymmetric(Span<double> a, Span<double> b, int k)
    {
        for (var j = 0; j < k; j++)
        {
            a[j * k + j] += 1e-9;
            for (var l = 0; l < j; l++)
            {
                a[j * k + j] -= a[j * k + l] * a[j * k + l];
            }

            var diag = Math.Sqrt(Math.Max(a[j * k + j], 1e-12));
            a[j * k + j] = diag;
            for (var i = j + 1; i < k; i++)
            {
                var v = a[i * k + j];
                for (var l = 0; l < j; l++)
                {
                    v -= a[i * k + l] * a[j * k + l];
                }

                a[i * k + j] = v / diag;
            }
        }

        for (var i = 0; i < k; i++)
        {
            var v = b[i];
            for (var l = 0; l < i; l++)
            {
                v -= a[i * k + l] * b[l];
            }

            b[i] = v / a[i * k + i];
        }

        for (var i = k - 1; i >= 0; i--)
        {
            var v = b[i];
            for (var l = i + 1; l < k; l++)
            {
                v -= a[l * k + i] * b[l];
            }

            b[i] = v / a[i * k + i];
        }
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
