using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Storage;

/// <summary>
/// The time-series store behind the service: telemetry, events, nameplates, dedup positions and quarantine.
/// A write is all or nothing: when <see cref="WriteAsync"/> returns, every item is durable.
/// </summary>
public interface ITelemetryStore : IAsyncDisposable
{
    /// <summary>Writes the items in one transaction; a batch whose (source, seq) is already stored is a duplicate and writes nothing.</summary>
    Task<IReadOnlyList<WriteOutcome>> WriteAsync(IReadOnlyList<IngestItem> items, CancellationToken cancellationToken);

    Task<IReadOnlyList<SignalPoint>> QuerySignalAsync(string deviceId, string signal, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// The signal over [from, to) cut into <paramref name="buckets"/> equal time buckets with min, max, mean and
    /// count each (empty buckets omitted): long ranges are drawn from this rather than from every reading.
    /// </summary>
    Task<SignalBuckets> QuerySignalBucketsAsync(string deviceId, string signal, DateTimeOffset from, DateTimeOffset to, int buckets, CancellationToken cancellationToken);

    Task<IReadOnlyList<StoredEvent>> QueryEventsAsync(string deviceId, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken);

    Task<IReadOnlyList<MaintenanceRecord>> QueryMaintenanceAsync(string deviceId, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken);

    /// <summary>Every stored record of a device in [from, to), parameters and events merged in event-time order (analytics replay).</summary>
    Task<IReadOnlyList<LogRecord>> QueryRecordsAsync(string deviceId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);

    Task<IReadOnlyList<DeviceSnapshot>> LoadDevicesAsync(CancellationToken cancellationToken);

    /// <summary>Newest first.</summary>
    /// <summary>Newest first, at most <paramref name="limit"/>, only entries with an id below <paramref name="beforeId"/> when given (paging).</summary>
    Task<IReadOnlyList<QuarantineEntry>> QueryQuarantineAsync(int limit, long? beforeId, CancellationToken cancellationToken);

    Task<IngestCounters> GetCountersAsync(CancellationToken cancellationToken);

    Task<IReadOnlyList<IngestPosition>> GetPositionsAsync(CancellationToken cancellationToken);

    /// <summary>Cheap liveness probe for /health.</summary>
    Task<bool> PingAsync(CancellationToken cancellationToken);
}
