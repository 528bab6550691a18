using EquipmentTwin.Analytics.Engines;
using EquipmentTwin.Analytics.History;
using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Analytics.Anomaly;

/// <summary>
/// Collects anomaly feature rows per device for training: run healthy (simulated or recorded) data
/// through <see cref="Pipeline.DeviceAnalytics"/> with it, then hand <see cref="RowsFor"/> to
/// <see cref="AnomalyTrainer"/>. Rows inside a baseline period are not emitted; masked signals
/// (data-quality issues) contribute baseline values, exactly as when scoring, and each row records which
/// features were masked so that a threshold is calibrated on the scores the engine would compute.
/// </summary>
public sealed class AnomalyFeatureCollector : IAnalyticsEngine
{
    public const int DefaultBaselineDays = 7;

    private readonly object _gate = new();
    private readonly List<AnomalyFeatureRow> _rows = new();
    private readonly Dictionary<Modality, AnomalyFeatures> _features = new();

    public AnomalyFeatureCollector(int baselineDays = DefaultBaselineDays, int featureSet = AnomalyFeatures.CurrentFeatureSet)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(baselineDays, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(featureSet, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(featureSet, AnomalyFeatures.CurrentFeatureSet);
        BaselineDays = baselineDays;
        FeatureSet = featureSet;
    }

    public int BaselineDays { get; }

    /// <summary>The feature set the rows are computed in (<see cref="AnomalyFeatures.CurrentFeatureSet"/> unless asked otherwise).</summary>
    public int FeatureSet { get; }

    public EngineKind Kind => EngineKind.Anomaly;

    /// <summary>Every row collected so far, in the order windows closed.</summary>
    public IReadOnlyList<AnomalyFeatureRow> Rows
    {
        get
        {
            lock (_gate)
            {
                return _rows.ToArray();
            }
        }
    }

    /// <summary>Rows of one modality, grouped by device and in time order within a device.</summary>
    public IReadOnlyList<AnomalyFeatureRow> RowsFor(Modality modality)
    {
        lock (_gate)
        {
            return _rows.Where(r => r.Modality == modality)
                .OrderBy(r => r.DeviceId, StringComparer.Ordinal).ThenBy(r => r.WindowEndMs).ToArray();
        }
    }

    /// <summary>Feature names of <paramref name="modality"/> (known once a device of it was created).</summary>
    public string[] FeatureNames(Modality modality)
    {
        lock (_gate)
        {
            return _features.TryGetValue(modality, out var f) ? f.Names.ToArray() : throw new InvalidOperationException($"No {modality} device has been seen.");
        }
    }

    public IDeviceEngine CreateDevice(DeviceContext context)
    {
        AnomalyFeatures features;
        lock (_gate)
        {
            if (!_features.TryGetValue(context.Modality, out features!))
            {
                _features[context.Modality] = features = AnomalyFeatures.For(context.Catalog, FeatureSet);
            }
        }

        return new Device(this, context, new AnomalyDeviceState(features, BaselineDays));
    }

    public HistoryNeeds NeedsOf(DeviceContext context) => AnomalyFeatures.For(context.Catalog).HistoryNeeds();

    private void Add(AnomalyFeatureRow row)
    {
        lock (_gate)
        {
            _rows.Add(row);
        }
    }

    private sealed class Device(AnomalyFeatureCollector owner, DeviceContext context, AnomalyDeviceState state) : IDeviceEngine
    {
        public IReadOnlyList<Evidence> Evidence => [];

        public IReadOnlyList<DataQualityIssue> DataQuality => state.DataQuality;

        public void OnBucket(string signal, in SeriesPoint bucket, DeviceHistory history) => state.OnBucket(signal, bucket);

        public void OnEvent(in LogRecord record, DeviceHistory history) => state.OnEvent(record);

        public void OnMaintenance(MaintenanceRecord record, DeviceHistory history) => state.OnMaintenance(record);

        public void OnHour(long hourEndMs, DeviceHistory history)
        {
            var row = state.OnHour(hourEndMs, history);
            if (!row.IsEmpty)
            {
                owner.Add(new AnomalyFeatureRow(context.DeviceId, context.Modality, hourEndMs, row.ToArray(), state.Features.MissingOf(state.Quality.Masked)));
            }
        }
    }
}
