namespace EquipmentTwin.Analytics.Physics.Fitting;

/// <summary>
/// Weibull life in cumulative usage s (domain notes §5.3): R(s) = exp[−(s/η)^β]; a unit that has survived s
/// survives Δ more with R(s + Δ)/R(s).
/// </summary>
public static class WeibullLife
{
    public static double ConditionalSurvival(double s, double delta, double eta, double beta) =>
        Math.Exp(Math.Pow(Math.Max(s, 0) / eta, beta) - Math.Pow(Math.Max(s + delta, 0) / eta, beta));

    /// <summary>Remaining usage Δ by which a unit that has survived s has failed with probability q.</summary>
    public static double RemainingUsageQuantile(double s, double q, double eta, double beta) =>
        eta * Math.Pow(Math.Pow(Math.Max(s, 0) / eta, beta) - Math.Log(1 - q), 1 / beta) - Math.Max(s, 0);
}
