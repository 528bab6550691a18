using EquipmentTwin.Analytics.History;
using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Analytics.Engines;

/// <summary>An engine: shared, immutable configuration (rules, models) that makes per-device state.</summary>
public interface IAnalyticsEngine
{
    EngineKind Kind { get; }

    IDeviceEngine CreateDevice(DeviceContext context);

    /// <summary>
    /// How far back this engine reads each signal of a device of <paramref name="context"/>, so the device's history
    /// keeps no window nobody reads; null (the default) when it may read anything the history keeps.
    /// </summary>
    HistoryNeeds? NeedsOf(DeviceContext context) => null;
}

/// <summary>
/// One engine's bounded state for one device, driven in event time by <see cref="Pipeline.DeviceAnalytics"/>.
/// Calls arrive in event-time order for the device; no call reads the wall clock.
/// </summary>
public interface IDeviceEngine
{
    /// <summary>A 5-minute bucket of <paramref name="signal"/> closed (already in <paramref name="history"/>).</summary>
    void OnBucket(string signal, in SeriesPoint bucket, DeviceHistory history);

    /// <summary>An event record arrived (already counted in <paramref name="history"/>).</summary>
    void OnEvent(in LogRecord record, DeviceHistory history);

    /// <summary>A maintenance record arrived: a repaired or replaced component starts afresh.</summary>
    void OnMaintenance(MaintenanceRecord record, DeviceHistory history);

    /// <summary>The device's clock passed the end of an hour; every bucket before it is closed.</summary>
    void OnHour(long hourEndMs, DeviceHistory history);

    /// <summary>The evidence this engine holds now, at most one per (component, source).</summary>
    IReadOnlyList<Evidence> Evidence { get; }

    /// <summary>Data-quality findings (stuck, spikes, dropout); only engines that look for them report any.</summary>
    IReadOnlyList<DataQualityIssue> DataQuality => [];
}
