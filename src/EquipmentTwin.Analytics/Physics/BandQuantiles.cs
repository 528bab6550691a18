using EquipmentTwin.Analytics.Physics.Fitting;
using MathNet.Numerics.Distributions;

namespace EquipmentTwin.Analytics.Physics;

/// <summary>
/// Per-quantile calibrated band: the natural-log offsets of the crossing time's 5/10/25/50/75/90/95 %
/// quantiles from the fit's P50, found split-conformally on held-out crossing errors (docs/models-physics.md).
/// One log-normal spread cannot hold both the 50 % and the 80 % band when the errors are heavier-tailed than
/// a log-normal; one offset per quantile can. A quantile is never narrower than the fit's own band at that level.
/// </summary>
public sealed record BandQuantiles(double Q05, double Q10, double Q25, double Q50, double Q75, double Q90, double Q95)
{
    /// <summary>The levels, in the order of <see cref="Offsets"/>.</summary>
    public static readonly double[] Levels = [0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95];

    public double[] Offsets => [Q05, Q10, Q25, Q50, Q75, Q90, Q95];

    public static BandQuantiles FromOffsets(IReadOnlyList<double> o) => new(o[0], o[1], o[2], o[3], o[4], o[5], o[6]);

    /// <summary>True when the offsets rise with the level (a valid quantile function).</summary>
    public bool IsMonotone => Offsets.Zip(Offsets.Skip(1)).All(p => p.First <= p.Second);

    /// <summary>
    /// The crossing-time quantiles (days from now) for a fit whose median is <paramref name="fitP50"/> days and whose
    /// own log-spread is <paramref name="fitLogSd"/>: ln Qq = ln P50 + Q50 ± max(|offset − Q50|, |z_q|·s_fit).
    /// </summary>
    public double[] Apply(double fitP50, double fitLogSd)
    {
        var result = new double[Levels.Length];
        for (var i = 0; i < Levels.Length; i++)
        {
            var z = Normal.InvCDF(0, 1, Levels[i]);
            var calibrated = Offsets[i] - Q50;
            var half = Math.Max(Math.Abs(calibrated), Math.Abs(z) * Math.Max(0, fitLogSd));
            result[i] = fitP50 * Math.Exp(Q50 + Math.Sign(Levels[i] - 0.5) * half);
        }

        return result;
    }

    /// <summary>
    /// Read as an after-crossing table (offsets in days, not logs): the days from now to each quantile of the failure
    /// time once the threshold crossing has been observed. Negative offsets (never from a calibration: failures come
    /// after the crossing) are clamped to now.
    /// </summary>
    public double[] AfterCrossing() => Offsets.Select(d => Math.Max(0, d)).ToArray();

    /// <summary>The fit's own log-spread, read back from a band that had <paramref name="modelSpread"/> added (<see cref="CrossingBand.WithModelSpread"/>).</summary>
    public static double FitLogSd(CrossingBand band, double modelSpread) =>
        Math.Sqrt(Math.Max(0, band.LogSd * band.LogSd - modelSpread * modelSpread));
}

/// <summary>
/// A band table for the forecasts of evidence at least <paramref name="FromDays"/> old (days since the model's evidence
/// began): a fit made weeks into a fault errs differently from the one that opened it (docs/models-physics.md, round 8).
/// </summary>
public sealed record AgedBandQuantiles(double FromDays, BandQuantiles Table)
{
    /// <summary>
    /// Among <paramref name="tables"/> in rising <paramref name="fromDays"/>, the one serving evidence <paramref name="ageDays"/>
    /// old: the last it has reached, or null when it is younger than all (the base table serves it). The engine and the
    /// calibration's scoring both choose by this, so a table is judged on the forecasts it is published for.
    /// </summary>
    public static T? Reached<T>(IEnumerable<T> tables, Func<T, double> fromDays, double ageDays)
        where T : class => tables.LastOrDefault(t => ageDays >= fromDays(t));
}
