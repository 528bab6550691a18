using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Storage;

namespace EquipmentTwin.Service.Tests;

/// <summary>Wraps the real store so a test can hold writes back or make the next ones fail, as a slow or broken disk would.</summary>
public sealed class GatedStore(ITelemetryStore inner) : ITelemetryStore, IAlertStore
{
    private volatile TaskCompletionSource _gate = Open();
    private volatile TaskCompletionSource _reads = Open();
    private int _failuresLeft;

    public int WriteAttempts;

    public void Close() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => _gate.TrySetResult();

    /// <summary>Holds reads of stored records (as a long scan would) until <see cref="ReleaseReads"/>.</summary>
    public void HoldReads() => _reads = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void ReleaseReads() => _reads.TrySetResult();

    public void FailNext(int count) => Interlocked.Exchange(ref _failuresLeft, count);

    private static TaskCompletionSource Open()
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        tcs.SetResult();
        return tcs;
    }

    public async Task<IReadOnlyList<WriteOutcome>> WriteAsync(IReadOnlyList<IngestItem> items, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref WriteAttempts);
        await _gate.Task.WaitAsync(cancellationToken);
        if (Interlocked.Decrement(ref _failuresLeft) >= 0)
        {
            throw new IOException("disk unavailable (test)");
        }

        return await inner.WriteAsync(items, cancellationToken);
    }

    public Task<SignalBuckets> QuerySignalBucketsAsync(string deviceId, string signal, DateTimeOffset from, DateTimeOffset to, int buckets, CancellationToken cancellationToken) =>
        inner.QuerySignalBucketsAsync(deviceId, signal, from, to, buckets, cancellationToken);

    public Task<IReadOnlyList<SignalPoint>> QuerySignalAsync(string deviceId, string signal, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken) =>
        inner.QuerySignalAsync(deviceId, signal, from, to, limit, cancellationToken);

    public Task<IReadOnlyList<StoredEvent>> QueryEventsAsync(string deviceId, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken) =>
        inner.QueryEventsAsync(deviceId, from, to, limit, cancellationToken);

    public Task<IReadOnlyList<MaintenanceRecord>> QueryMaintenanceAsync(string deviceId, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken) =>
        inner.QueryMaintenanceAsync(deviceId, from, to, limit, cancellationToken);

    public async Task<IReadOnlyList<LogRecord>> QueryRecordsAsync(string deviceId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        await _reads.Task.WaitAsync(cancellationToken);
        return await inner.QueryRecordsAsync(deviceId, from, to, cancellationToken);
    }

    public Task<IReadOnlyList<DeviceSnapshot>> LoadDevicesAsync(CancellationToken cancellationToken) => inner.LoadDevicesAsync(cancellationToken);

    public Task<IReadOnlyList<QuarantineEntry>> QueryQuarantineAsync(int limit, long? beforeId, CancellationToken cancellationToken) => inner.QueryQuarantineAsync(limit, beforeId, cancellationToken);

    public Task<IngestCounters> GetCountersAsync(CancellationToken cancellationToken) => inner.GetCountersAsync(cancellationToken);

    public Task<IReadOnlyList<IngestPosition>> GetPositionsAsync(CancellationToken cancellationToken) => inner.GetPositionsAsync(cancellationToken);

    public Task<bool> PingAsync(CancellationToken cancellationToken) => inner.PingAsync(cancellationToken);

    public Task SaveAlertsAsync(IReadOnlyList<StoredAlert> alerts, CancellationToken cancellationToken) => ((IAlertStore)inner).SaveAlertsAsync(alerts, cancellationToken);

    public Task<IReadOnlyList<StoredAlert>> LoadAlertsAsync(CancellationToken cancellationToken) => ((IAlertStore)inner).LoadAlertsAsync(cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
