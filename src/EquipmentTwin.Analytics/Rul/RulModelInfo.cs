namespace EquipmentTwin.Analytics.Rul;

/// <summary>What a RUL model was trained on and how it validated; saved as <c>validation.json</c> beside the model.</summary>
public sealed record RulModelInfo
{
    public string Algorithm { get; init; } = "ML.NET FastTree regression on windowed features (level, slope, spread over three windows, drift from the unit's start, age), per-regime normalisation; split-conformal 80 % interval";
    public required string TrainingFile { get; init; }
    public required string TrainingSha256 { get; init; }
    public required int Units { get; init; }
    public required int Rows { get; init; }
    public required double TimeFrom { get; init; }
    public required double TimeTo { get; init; }
    public required double LifetimeMin { get; init; }
    public required double LifetimeMedian { get; init; }
    public required double LifetimeMax { get; init; }
    public required int Seed { get; init; }
    public required string[] TrainUnits { get; init; }
    public required string[] CalibrationUnits { get; init; }
    public required string[] ValidationUnits { get; init; }
    public required int TrainingRows { get; init; }
    public required RulValidation Validation { get; init; }
}
