namespace EquipmentTwin.Analytics.Physics;

/// <summary>
/// Per-quantile calibrated band: the natural-log offsets of the crossing time's 5/10/25/50/75/90/95 %
/// quantiles from the fit's P50, found split-conformally on held-out crossing errors (docs/models-physics.md).
/// One log-normal spread cannot hold both the 50 % and the 80 % band when the errors are heavier-tailed than
/// a log-normal; one offset per quantile can. The offsets are published as calibrated: the held-out errors they come
/// from already hold the fit's own error, so widening them by the fit's band as well overcovers (docs/models.md, round 5).
/// </summary>
public sealed record BandQuantiles(double Q05, double Q10, double Q25, double Q50, double Q75, double Q90, double Q95)
{
    /// <summary>The levels, in the order of <see cref="Offsets"/>.</summary>
    public static readonly double[] Levels = [0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95];

    public double[] Offsets => [Q05, Q10, Q25, Q50, Q75, Q90, Q95];

    public static BandQuantiles FromOffsets(IReadOnlyList<double> o) => new(o[0], o[1], o[2], o[3], o[4], o[5], o[6]);

    /// <summary>True when the offsets rise with the level (a valid quantile function).</summary>
    public bool IsMonotone => Offsets.Zip(Offsets.Skip(1)).All(p => p.First <= p.Second);

    /// <summary>The crossing-time quantiles (days from now) for a fit whose median is <paramref name="fitP50"/> days: ln Qq = ln P50 + offset_q.</summary>
    public double[] Apply(double fitP50) => Offsets.Select(o => fitP50 * Math.Exp(o)).ToArray();

    /// <summary>
    /// Read as an after-crossing table (offsets in days, not logs): the days from now to each quantile of the failure
    /// time once the threshold crossing has been observed. Negative offsets (never from a calibration: failures come
    /// after the crossing) are clamped to now.
    /// </summary>
    public double[] AfterCrossing() => Offsets.Select(d => Math.Max(0, d)).ToArray();

}
