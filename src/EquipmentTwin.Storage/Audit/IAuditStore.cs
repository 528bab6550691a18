namespace EquipmentTwin.Storage.Audit;

/// <summary>The audit trail of alerts: append-only, read per alert in the order it was written.</summary>
public interface IAuditStore
{
    /// <summary>Appends the entries in one transaction (their <see cref="AuditEntry.Id"/> is assigned by the store).</summary>
    Task AppendAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken);

    /// <summary>Every entry of one alert, oldest first.</summary>
    Task<IReadOnlyList<AuditEntry>> HistoryAsync(string alertId, CancellationToken cancellationToken);

    /// <summary>The newest entries across all alerts, newest first.</summary>
    Task<IReadOnlyList<AuditEntry>> RecentAsync(int limit, CancellationToken cancellationToken);
}
