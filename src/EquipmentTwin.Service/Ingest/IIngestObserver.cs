using EquipmentTwin.Storage;

namespace EquipmentTwin.Service.Ingest;

/// <summary>Told of what the store committed (new, non-duplicate items), after the publishers were acknowledged.</summary>
public interface IIngestObserver
{
    /// <summary>May wait (back-pressure on the writer) but must not throw for bad data.</summary>
    ValueTask OnCommittedAsync(IReadOnlyList<IngestItem> items, CancellationToken cancellationToken);
}
