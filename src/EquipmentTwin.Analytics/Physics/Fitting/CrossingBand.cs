using EquipmentTwin.Analytics.Engines;
using MathNet.Numerics.Distributions;

namespace EquipmentTwin.Analytics.Physics.Fitting;

/// <summary>
/// Time to threshold with its uncertainty: t* from the fit, Var(t*) by the delta method (domain notes §5.6:
/// for a line Var(t*) ≈ [Var a + t*²·Var b + 2t*·Cov(a,b)]/b²), quantiles from the normal approximation.
/// Times are days from now.
/// </summary>
public readonly record struct CrossingBand(double P10, double P50, double P90, double Sd)
{
    private static readonly double Z90 = Normal.InvCDF(0, 1, 0.9);

    /// <summary>P(crossing within <paramref name="days"/> from now), clipped to [0, 1].</summary>
    public double ProbabilityWithin(double days) =>
        Sd > 0 ? Math.Clamp(Normal.CDF(P50, Sd, days), 0, 1) : P50 <= days ? 1 : 0;

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
