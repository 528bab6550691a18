namespace EquipmentTwin.Storage;

/// <summary>An alert as the store keeps it: indexed fields and the whole alert as JSON (the store knows nothing of models).</summary>
public sealed record StoredAlert(string Id, string DeviceId, string State, long OpenedMs, long UpdatedMs, string Json);

/// <summary>Keeps maintenance alerts across restarts.</summary>
public interface IAlertStore
{
    /// <summary>Inserts or replaces the alerts in one transaction.</summary>
    Task SaveAlertsAsync(IReadOnlyList<StoredAlert> alerts, CancellationToken cancellationToken);

    Task<IReadOnlyList<StoredAlert>> LoadAlertsAsync(CancellationToken cancellationToken);
}
