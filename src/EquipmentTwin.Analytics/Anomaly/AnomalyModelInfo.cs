namespace EquipmentTwin.Analytics.Anomaly;

/// <summary>What is saved next to a model zip as <c>v{N}.json</c>: how it was trained, its threshold and validation figures.</summary>
public sealed record AnomalyModelInfo
{
    public required string Modality { get; init; }
    public required int Version { get; init; }
    public string Algorithm { get; init; } = "ML.NET RandomizedPca subspace; score = PPCA distance per feature";
    public required int Rank { get; init; }
    public required int Oversampling { get; init; }
    public required int Seed { get; init; }
    public required int BaselineDays { get; init; }
    public required string[] FeatureNames { get; init; }

    /// <summary>How the features were computed (<see cref="AnomalyFeatures.CurrentFeatureSet"/>); absent in files made before 2026-12-06, which are set 1.</summary>
    public int FeatureSet { get; init; } = 1;

    /// <summary>Features constant in training: the model knows nothing of them and scoring ignores them.</summary>
    public required string[] InactiveFeatures { get; init; }

    /// <summary>Variance of the training rows along each kept component.</summary>
    public required double[] Eigenvalues { get; init; }

    /// <summary>Training variance of each feature's residual outside the kept components (floored; 0 for inactive features).</summary>
    public required double[] ResidualVariances { get; init; }

    public required double Threshold { get; init; }
    public required double ThresholdQuantile { get; init; }
    public required double ThresholdMargin { get; init; }
    public required long TrainedFromMs { get; init; }
    public required long TrainedToMs { get; init; }
    public required int Rows { get; init; }
    public required int TrainingRows { get; init; }
    public required double TrainingScoreP50 { get; init; }
    public required double TrainingScoreQuantile { get; init; }
    public required AnomalyValidation Validation { get; init; }

    /// <summary>How the threshold was set on data the model was not fitted on (null: from the training scores).</summary>
    public AnomalyThresholdCalibration? Calibration { get; init; }

    /// <summary>Simulation seeds the training rows came from (empty: not recorded).</summary>
    public int[] TrainingSeeds { get; init; } = [];
}

/// <summary>
/// A threshold calibrated on healthy data held out from training: the smallest candidate at which the engine's
/// alarm rule (persistence, then the fusion's minimum age) raises at most the target alarms, times a margin.
/// </summary>
public sealed record AnomalyThresholdCalibration(
    int[] Seeds,
    int Devices,
    double DeviceMonths,
    int Rows,
    double TargetAlarmsPer100DeviceMonths,
    double MinAlarmDays,
    double Margin,
    double ScoreP50,
    double ScoreP999,
    double AlarmsAtThreshold,
    double TrainingThreshold);

/// <summary>
/// Figures on the held-out rows: the share of windows above the threshold, and the windows the engine's
/// persistence rule (≥ 3 of the last 4 windows) would have turned into evidence.
/// </summary>
public sealed record AnomalyValidation(int Rows, int WindowsAboveThreshold, double FalsePositiveRate, int PersistentAlarmWindows, double ScoreP50, double ScoreP99, double ScoreMax);
