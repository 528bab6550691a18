using EquipmentTwin.Analytics.Engines;
using EquipmentTwin.Analytics.Physics.Fitting;

namespace EquipmentTwin.Analytics.Physics;

/// <summary>
/// One calibrated model of one component, as loaded from <c>config/physics/{modality}.json</c> and checked
/// against the modality's catalog (unit and sampling interval come from the catalog).
/// </summary>
public sealed record PhysicsModel
{
    public required string Id { get; init; }
    public required string Component { get; init; }
    public required PhysicsLaw Law { get; init; }

    /// <summary>Signal the law is fitted to; null for <see cref="PhysicsLaw.PoissonRate"/>.</summary>
    public string? Signal { get; init; }

    /// <summary>Event codes counted by <see cref="PhysicsLaw.PoissonRate"/>.</summary>
    public IReadOnlyList<string> Codes { get; init; } = [];

    /// <summary>Failure threshold: absolute, or percent change from the baseline when <see cref="RelativeToBaseline"/>; events/day for rates.</summary>
    public double Threshold { get; init; }

    public ThresholdDirection Direction { get; init; }

    public bool RelativeToBaseline { get; init; }

    /// <summary>Days of data (after the start or the last maintenance) whose median hourly mean is the baseline.</summary>
    public double BaselineDays { get; init; } = 7;

    /// <summary>Days of data used for each fit (at most the 60 days the hourly history keeps).</summary>
    public double WindowDays { get; init; } = 14;

    /// <summary>Fewest points (hourly means, or days for rates) a fit needs.</summary>
    public int MinPoints { get; init; } = 24;

    /// <summary>
    /// Days of data a fit needs since the device's first record, the last maintenance of the component or a reset, however
    /// many points they hold (0 = no such wait): a signal that follows the room's daily cycle gives a line through less than
    /// two cycles that reads half a daily swing as a trend.
    /// </summary>
    public double MinSpanDays { get; init; }

    public double RefitHours { get; init; } = 6;

    /// <summary>Only forecasts whose P50 falls within this many days become evidence.</summary>
    public double HorizonDays { get; init; } = 60;

    /// <summary>Log-spread of model-form uncertainty added to the fit's band (0 = the fit's band alone).</summary>
    public double ModelSpread { get; init; } = DefaultModelSpread;

    /// <summary>Per-quantile calibrated band; when set it gives the published quantiles (the spread still sets the confidence).</summary>
    public BandQuantiles? BandQuantiles { get; init; }

    /// <summary>
    /// Tables that replace <see cref="BandQuantiles"/> once the evidence is older, in rising <see cref="AgedBandQuantiles.FromDays"/>;
    /// empty when one table serves every forecast.
    /// </summary>
    public IReadOnlyList<AgedBandQuantiles> LaterBandQuantiles { get; init; } = [];

    /// <summary>The trend table for a forecast of evidence <paramref name="ageDays"/> old: the last later table it has reached, else <see cref="BandQuantiles"/>.</summary>
    public BandQuantiles? BandQuantilesAt(double ageDays) =>
        AgedBandQuantiles.Reached(LaterBandQuantiles, t => t.FromDays, ageDays)?.Table ?? BandQuantiles;

    /// <summary>
    /// Calibrated days from an observed crossing of the threshold to the failure, at the 5/10/25/50/75/90/95 % levels
    /// (<see cref="Physics.BandQuantiles.AfterCrossing"/>): an alarm limit is crossed before the unit fails, so a crossed
    /// forecast publishes these instead of a band at "now".
    /// </summary>
    public BandQuantiles? AfterCrossingDays { get; init; }

    /// <summary>Calibrated on the reference-fleet backtest, seed 1; checked on seed 2 (docs/models.md).</summary>
    public const double DefaultModelSpread = 0.8;

    /// <summary>Events that start the model afresh like maintenance does (a helium top-off).</summary>
    public IReadOnlyList<string> ResetCodes { get; init; } = [];

    /// <summary>
    /// Other components whose maintenance also starts the model afresh: helium falls because the cooler upstream
    /// failed, and once the cold head, compressor or chilled water is repaired that fall no longer says anything.
    /// </summary>
    public IReadOnlyList<string> ResetComponents { get; init; } = [];

    /// <summary>
    /// Linear and onset-linear laws: the wear runs on an Arrhenius damage clock of this temperature (domain §5.2), not on
    /// calendar days; null for calendar days.
    /// </summary>
    public ArrheniusClock? Clock { get; init; }

    /// <summary>Change-point law: time constant Ts (days) of the saturating rate r1 → r∞; null fits the post-change segment as a line.</summary>
    public double? SaturationDays { get; init; }

    /// <summary>
    /// Onset-exponential law: the fastest doubling of the excess (days) the wear can have. Data that want a faster rise
    /// show an event (a compressor trip warms the cold head within hours), not wear, and give no forecast.
    /// </summary>
    public double MinDoublingDays { get; init; } = OnsetExponentialFit.DefaultMinDoublingDays;

    /// <summary>Weibull scale η in the usage signal's unit.</summary>
    public double WeibullEta { get; init; }

    /// <summary>Weibull shape β.</summary>
    public double WeibullBeta { get; init; }

    /// <summary>Words for summaries ("Helium"); defaults to the signal or the codes.</summary>
    public string Label { get; init; } = "";

    /// <summary>Unit of the signal (from the catalog); "events/day" for rates.</summary>
    public string Unit { get; init; } = "";

    /// <summary>Nominal sampling interval of the signal (from the catalog); judges whether the channel dropped.</summary>
    public double SampleSeconds { get; init; } = 60;

    /// <summary>Whether the law needs the device's own baseline (relative thresholds, φ of the exponential law).</summary>
    public bool NeedsBaseline => RelativeToBaseline || Law is PhysicsLaw.Exponential or PhysicsLaw.OnsetExponential or PhysicsLaw.OnsetLinear;

    /// <summary>Model name reported in forecasts: law and id.</summary>
    public string ModelName => $"{Law.ToConfig()}:{Id}";
}
