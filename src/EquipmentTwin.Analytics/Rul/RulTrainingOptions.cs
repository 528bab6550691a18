namespace EquipmentTwin.Analytics.Rul;

/// <summary>How a RUL model is fitted: the seed of the unit split and of ML.NET, the trees, and how many rows each unit gives.</summary>
public sealed record RulTrainingOptions
{
    public int Seed { get; init; } = 1;
    public int Trees { get; init; } = 200;
    public int Leaves { get; init; } = 20;
    public double LearningRate { get; init; } = 0.1;

    /// <summary>Training rows taken from one unit at most (evenly spaced), so long histories do not outweigh short ones.</summary>
    public int MaxRowsPerUnit { get; init; } = 100;

    /// <summary>Cut points per calibration or validation unit (evenly spaced before its failure).</summary>
    public int CutPointsPerUnit { get; init; } = 20;

    /// <summary>Share of units held out to calibrate the interval, and share held out to validate; whole units, never rows of one unit.</summary>
    public double CalibrationFraction { get; init; } = 0.3;

    public double ValidationFraction { get; init; } = 0.2;

    /// <summary>Fewest units a training file must have (at least 2 to fit, 2 to calibrate, 2 to validate).</summary>
    public const int MinUnits = 6;
}
