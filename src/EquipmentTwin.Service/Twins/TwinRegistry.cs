using System.Collections.Concurrent;
using EquipmentTwin.Core.Catalog;
using EquipmentTwin.Core.Twins;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Storage;

namespace EquipmentTwin.Service.Twins;

/// <summary>
/// One live <see cref="DeviceTwin"/> per device, advanced after each commit. The ingest writer is the only
/// mutator; readers take a per-twin lock to copy a consistent view.
/// </summary>
public sealed class TwinRegistry(SignalCatalog catalog)
{
    private readonly ConcurrentDictionary<string, DeviceTwin> _twins = new(StringComparer.Ordinal);

    public SignalCatalog Catalog { get; } = catalog;

    public int Count => _twins.Count;

    public void Restore(IEnumerable<DeviceSnapshot> snapshots)
    {
        foreach (var s in snapshots)
        {
            var twin = new DeviceTwin(s.DeviceId, s.Site);
            // A stored "online" is a claim from before the restart: the device's session (and the will that would
            // have said "offline") may have died with the service, so it counts only once the device speaks again.
            twin.Restore(s.Nameplate, s.Online == true ? null : s.Online, s.StatusAt, s.LastReceivedAt, s.Latest);
            _twins[s.DeviceId] = twin;
        }
    }

    public void ApplyBatch(BatchItem item)
    {
        var twin = GetOrAdd(item.DeviceId, item.Site);
        lock (twin)
        {
            var catalog = twin.Modality is { } m ? Catalog.Find(m) : null;
            twin.ApplyRecords(item.Batch.Records, catalog, item.ReceivedAt);
        }
    }

    public void ApplyNameplate(NameplateItem item)
    {
        var twin = GetOrAdd(item.DeviceId, item.Site);
        lock (twin)
        {
            twin.ApplyNameplate(item.Nameplate, item.Site, item.ReceivedAt);
        }
    }

    public void ApplyStatus(StatusItem item)
    {
        var twin = GetOrAdd(item.DeviceId, item.Site);
        lock (twin)
        {
            twin.ApplyStatus(item.Status, item.ReceivedAt);
        }
    }

    public void ApplyMaintenance(MaintenanceItem item)
    {
        var twin = GetOrAdd(item.DeviceId, item.Site);
        lock (twin)
        {
            twin.ApplyMaintenance(item.Record, item.ReceivedAt);
        }
    }

    /// <summary>Runs <paramref name="read"/> under the twin's lock; null when the device is unknown.</summary>
    public T? Read<T>(string deviceId, Func<DeviceTwin, T> read)
        where T : class
    {
        if (!_twins.TryGetValue(deviceId, out var twin))
        {
            return null;
        }

        lock (twin)
        {
            return read(twin);
        }
    }

    /// <summary>Replaces the analysed state of a known device; false when the device is unknown.</summary>
    public bool ApplyAnalysis(string deviceId, TwinAnalysis analysis)
    {
        if (!_twins.TryGetValue(deviceId, out var twin))
        {
            return false;
        }

        lock (twin)
        {
            twin.ApplyAnalysis(analysis);
        }

        return true;
    }

    public Modality? ModalityOf(string deviceId)
    {
        if (!_twins.TryGetValue(deviceId, out var twin))
        {
            return null;
        }

        lock (twin)
        {
            return twin.Modality;
        }
    }

    public List<T> ReadAll<T>(Func<DeviceTwin, T> read)
    {
        var list = new List<T>(_twins.Count);
        foreach (var twin in _twins.Values.OrderBy(t => t.DeviceId, StringComparer.Ordinal))
        {
            lock (twin)
            {
                list.Add(read(twin));
            }
        }

        return list;
    }

    private DeviceTwin GetOrAdd(string deviceId, string site) =>
        _twins.GetOrAdd(deviceId, static (id, s) => new DeviceTwin(id, s), site);
}
