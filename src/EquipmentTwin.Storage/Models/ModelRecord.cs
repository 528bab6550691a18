namespace EquipmentTwin.Storage.Models;

/// <summary>
/// One version of one model in the registry. <see cref="Kind"/> names what the model is for and has one
/// champion at a time: <c>anomaly-mri</c>, <c>anomaly-ct</c>, <c>anomaly-xray</c>, <c>rules</c>, <c>physics</c>,
/// <c>rul-{name}</c>. What it was trained or calibrated on (<see cref="Source"/>, the time range, the seeds), its
/// validation figures by name, and why it is in its <see cref="State"/> travel with it.
/// </summary>
public sealed record ModelRecord
{
    public required string Kind { get; init; }
    public required int Version { get; init; }
    public ModelState State { get; init; } = ModelState.Candidate;

    /// <summary>Why the model is in its state (the last change's reason).</summary>
    public required string Reason { get; init; }

    /// <summary>What it was trained or calibrated on: a file, a store, a simulation, a configuration folder.</summary>
    public required string Source { get; init; }

    public long? TrainedFromMs { get; init; }
    public long? TrainedToMs { get; init; }
    public int[] Seeds { get; init; } = [];

    /// <summary>Validation figures by name (<c>recall</c>, <c>falseAlarmsPer100DeviceMonths</c>, <c>rmse</c>, ...), measured on data the model was not fitted on.</summary>
    public IReadOnlyDictionary<string, double> Validation { get; init; } = new Dictionary<string, double>();

    /// <summary>Where the model's files are (null: it lives in configuration).</summary>
    public string? Artifact { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset ChangedAt { get; init; }
    public required string ChangedBy { get; init; }

    /// <summary>When it last became champion (null: never); rollback returns to the most recent earlier champion.</summary>
    public DateTimeOffset? PromotedAt { get; init; }

    public string Key => $"{Kind}/{Version}";
}
