using EquipmentTwin.Analytics.Engines;
using EquipmentTwin.Analytics.History;
using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Analytics.Pipeline;

/// <summary>
/// An engine whose model can be replaced while the pipeline runs (a promotion or a rollback), without a
/// restart and without touching the other engines' state, the device's history or its alerts. Only the
/// devices the new engine concerns (<c>affects</c>) change; each builds its new per-device state at its
/// next call. The new state warms up on live data beside the old one, which keeps speaking until
/// <see cref="WarmupMs"/> of the device's event time have passed (0: the new model speaks at once).
/// Not thread-safe, like the pipeline: swap under the same lock that guards processing.
/// </summary>
public sealed class SwappableEngine(IAnalyticsEngine initial, long warmupMs = 0) : IAnalyticsEngine
{
    private Func<DeviceContext, bool> _affects = _ => true;

    public IAnalyticsEngine Current { get; private set; } = initial;

    /// <summary>How many times the engine was replaced.</summary>
    public int Generation { get; private set; }

    public long WarmupMs { get; set; } = warmupMs;

    public EngineKind Kind => Current.Kind;

    /// <summary>Replaces the engine; devices for which <paramref name="affects"/> is false keep their state.</summary>
    public void Swap(IAnalyticsEngine next, Func<DeviceContext, bool>? affects = null)
    {
        if (next.Kind != Current.Kind)
        {
            throw new ArgumentException($"a {Current.Kind} engine cannot be replaced by a {next.Kind} engine", nameof(next));
        }

        Current = next;
        _affects = affects ?? (_ => true);
        Generation++;
    }

    public IDeviceEngine CreateDevice(DeviceContext context) => new Device(this, context);

    /// <summary>What the current engine reads; a replacement of the same kind reads the same signals over the same windows.</summary>
    public HistoryNeeds? NeedsOf(DeviceContext context) => Current.NeedsOf(context);

    private sealed class Device(SwappableEngine owner, DeviceContext context) : IDeviceEngine
    {
        private IDeviceEngine _active = owner.Current.CreateDevice(context);
        private IDeviceEngine? _warming;
        private long _warmingSinceMs = long.MinValue;
        private int _generation = owner.Generation;

        public IReadOnlyList<Evidence> Evidence => _active.Evidence;

        public IReadOnlyList<DataQualityIssue> DataQuality => _active.DataQuality;

        public void OnBucket(string signal, in SeriesPoint bucket, DeviceHistory history)
        {
            Follow(history);
            _active.OnBucket(signal, bucket, history);
            _warming?.OnBucket(signal, bucket, history);
        }

        public void OnEvent(in LogRecord record, DeviceHistory history)
        {
            Follow(history);
            _active.OnEvent(record, history);
            _warming?.OnEvent(record, history);
        }

        public void OnMaintenance(MaintenanceRecord record, DeviceHistory history)
        {
            Follow(history);
            _active.OnMaintenance(record, history);
            _warming?.OnMaintenance(record, history);
        }

        public void OnHour(long hourEndMs, DeviceHistory history)
        {
            Follow(history);
            _active.OnHour(hourEndMs, history);
            if (_warming is not null)
            {
                _warming.OnHour(hourEndMs, history);
                if (_warmingSinceMs == long.MinValue)
                {
                    _warmingSinceMs = hourEndMs;
                }

                if (hourEndMs - _warmingSinceMs >= owner.WarmupMs)
                {
                    _active = _warming;
                    _warming = null;
                }
            }
        }

        private void Follow(DeviceHistory history)
        {
            if (_generation == owner.Generation)
            {
                return;
            }

            _generation = owner.Generation;
            if (!owner._affects(context))
            {
                return;
            }

            var next = owner.Current.CreateDevice(context);
            if (owner.WarmupMs <= 0)
            {
                _active = next;
                _warming = null;
                return;
            }

            _warming = next;
            _warmingSinceMs = history.NowMs;
        }
    }
}
