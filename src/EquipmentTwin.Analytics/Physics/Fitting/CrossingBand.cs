using EquipmentTwin.Analytics.Engines;
using MathNet.Numerics.Distributions;

namespace EquipmentTwin.Analytics.Physics.Fitting;

/// <summary>
/// Time to threshold with its uncertainty: t* from the fit, Var(t*) by the delta method (domain notes §5.6:
/// for a line Var(t*) ≈ [Var a + t*²·Var b + 2t*·Cov(a,b)]/b²), quantiles from the normal approximation.
/// Times are days from now.
/// </summary>
public readonly record struct CrossingBand(double P10, double P50, double P90, double Sd, double LogSd = 0)
{
    private static readonly double Z90 = Normal.InvCDF(0, 1, 0.9);

    /// <summary>P(crossing within <paramref name="days"/> from now), clipped to [0, 1].</summary>
    public double ProbabilityWithin(double days) =>
        LogSd > 0 && P50 > 0 ? (days <= 0 ? 0 : Math.Clamp(Normal.CDF(Math.Log(P50), LogSd, Math.Log(days)), 0, 1)) :
        Sd > 0 ? Math.Clamp(Normal.CDF(P50, Sd, days), 0, 1) : P50 <= days ? 1 : 0;

    /// <summary>
    /// Adds model-form uncertainty: the fit's band says how well the law's parameters are known, not whether
    /// the law will hold until the crossing (wear accelerates, bearings run longer than an exponential says).
    /// The crossing time becomes log-normal around P50 with log-spread √(s_fit² + <paramref name="spread"/>²),
    /// the spread calibrated on backtests (docs/models-physics.md).
    /// </summary>
    public CrossingBand WithModelSpread(double spread)
    {
        if (spread <= 0 || P50 <= 0)
        {
            return this;
        }

        var fit = P90 > P50 ? Math.Log(P90 / P50) / Z90 : 0;
        var s = Math.Sqrt(fit * fit + spread * spread);
        return new CrossingBand(P50 * Math.Exp(-Z90 * s), P50, P50 * Math.Exp(Z90 * s), Sd, s);
    }

    /// <summary>The band with every time multiplied by <paramref name="k"/> (a change of clock); the log-spread is unchanged.</summary>
    public CrossingBand Scaled(double k) => new(P10 * k, P50 * k, P90 * k, Sd * k, LogSd);

    public static CrossingBand FromNormal(double t50, double sd) =>
        new(Math.Max(0, t50 - Z90 * sd), t50, t50 + Z90 * sd, sd);

    /// <summary>Where the line reaches <paramref name="threshold"/>; null when it heads away from it.</summary>
    public static CrossingBand? FromLine(LineFit fit, double threshold, ThresholdDirection direction)
    {
        if (Toward(direction) * fit.B <= 0)
        {
            return null;
        }

        var t = (threshold - fit.A) / fit.B;
        var variance = (fit.VarA + t * t * fit.VarB + 2 * t * fit.CovAB) / (fit.B * fit.B);
        return FromNormal(t, Math.Sqrt(Math.Max(variance, 0)));
    }

    /// <summary>+1 when crossing means rising (above), −1 when falling (below).</summary>
    public static double Toward(ThresholdDirection direction) => direction == ThresholdDirection.Above ? 1 : -1;
}
