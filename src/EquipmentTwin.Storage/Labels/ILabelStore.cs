namespace EquipmentTwin.Storage.Labels;

/// <summary>The label set: appended with exact dedup (same kind, device, component, event time and alert is one label).</summary>
public interface ILabelStore
{
    /// <summary>Adds the labels in one transaction; returns how many were new.</summary>
    Task<int> AddAsync(IReadOnlyList<Label> labels, CancellationToken cancellationToken);

    /// <summary>Every label (of one device, or all), in event-time order.</summary>
    Task<IReadOnlyList<Label>> ListAsync(string? deviceId, CancellationToken cancellationToken);
}
