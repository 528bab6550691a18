namespace EquipmentTwin.Analytics.Anomaly;

/// <summary>How <see cref="AnomalyTrainer"/> fits a model; the defaults are the ones documented in docs/models-anomaly.md.</summary>
public sealed record AnomalyTrainingOptions
{
    /// <summary>Version the model is saved under (<c>v{Version}.zip</c>); see <see cref="AnomalyModelSet.NextVersion"/>.</summary>
    public int Version { get; init; } = 1;

    /// <summary>Principal components kept (healthy variation: usage cycle, ambient, load…).</summary>
    public int Rank { get; init; } = 8;

    public int Oversampling { get; init; } = 20;

    /// <summary>Seed of the one MLContext and of the randomized PCA.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Floor of a feature's residual variance as a share of the mean over features.</summary>
    public double ResidualFloor { get; init; } = 0.01;

    /// <summary>Quantile of the training scores the threshold starts from.</summary>
    public double ThresholdQuantile { get; init; } = 0.999;

    /// <summary>Margin the quantile is multiplied by.</summary>
    public double ThresholdMargin { get; init; } = 1.25;

    /// <summary>Share of rows held out for validation, taken as whole blocks of consecutive rows.</summary>
    public double ValidationShare { get; init; } = 0.2;

    /// <summary>Consecutive rows per block (20 windows = 5 days of one device when rows are grouped by device).</summary>
    public int ValidationBlock { get; init; } = 20;

    /// <summary>Days of a device's own data its baseline is learned from; stored with the model.</summary>
    public int BaselineDays { get; init; } = AnomalyFeatureCollector.DefaultBaselineDays;

    /// <summary>Feature set of the rows the model is trained on (stored with the model, so the engine computes the same).</summary>
    public int FeatureSet { get; init; } = AnomalyFeatures.CurrentFeatureSet;

    /// <summary>Event time of the first and last window trained on (set from rows by the row overload).</summary>
    public long? TrainedFromMs { get; init; }

    public long? TrainedToMs { get; init; }
}
