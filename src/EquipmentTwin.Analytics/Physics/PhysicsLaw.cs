namespace EquipmentTwin.Analytics.Physics;

/// <summary>The physical law a model fits to a device's own data.</summary>
public enum PhysicsLaw
{
    /// <summary>y = a + b·t on hourly means (robust); crossing by the delta method.</summary>
    Linear,

    /// <summary>A slope change at τ (two-segment least squares, BIC); forecast from the post-change segment.</summary>
    ChangePointLinear,

    /// <summary>v(t) = φ + b·(t − τ)⁺ from an onset τ (φ before it), φ the baseline; τ and b fitted, the free line kept when the onset lies before the window.</summary>
    OnsetLinear,

    /// <summary>v(t) = φ + θ·e^{βt}, fitted as ln(v − φ) = ln θ + β·t by weighted least squares.</summary>
    Exponential,

    /// <summary>v(t) = φ + A·(e^{β(t − τ)} − 1) from an onset τ (φ before it), φ the baseline; τ, β and A fitted.</summary>
    OnsetExponential,

    /// <summary>Daily event counts, λ(t) = λ0·e^{κt}, fitted by Poisson regression (IRLS).</summary>
    PoissonRate,

    /// <summary>Weibull life in cumulative usage, R(s) = exp[−(s/η)^β], conditional on the usage so far.</summary>
    WeibullUsage,
}

public static class PhysicsLawNames
{
    public static string ToConfig(this PhysicsLaw law) => law switch
    {
        PhysicsLaw.Linear => "linear",
        PhysicsLaw.ChangePointLinear => "changepoint-linear",
        PhysicsLaw.OnsetLinear => "onset-linear",
        PhysicsLaw.Exponential => "exponential",
        PhysicsLaw.OnsetExponential => "onset-exponential",
        PhysicsLaw.PoissonRate => "poisson-rate",
        PhysicsLaw.WeibullUsage => "weibull-usage",
        _ => throw new ArgumentOutOfRangeException(nameof(law), law, null),
    };

    public static bool TryParse(string? text, out PhysicsLaw law)
    {
        foreach (var candidate in Enum.GetValues<PhysicsLaw>())
        {
            if (string.Equals(candidate.ToConfig(), text?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                law = candidate;
                return true;
            }
        }

        law = default;
        return false;
    }
}
