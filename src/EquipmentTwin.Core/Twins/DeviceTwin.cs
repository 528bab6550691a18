using EquipmentTwin.Core.Catalog;
using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Core.Twins;

/// <summary>Latest reading of one signal, in event time.</summary>
public readonly record struct SignalReading(long TimestampMs, double Value);

/// <summary>Last event a device logged.</summary>
public sealed record EventSummary(long TimestampMs, string Code, Severity Severity, string? Text);

/// <summary>
/// The live twin of one device: static attributes from its nameplate and dynamic state from its log,
/// advanced in event time (a late, older reading never overwrites a newer one). Not thread-safe: the
/// owner serialises updates.
/// </summary>
public sealed class DeviceTwin
{
    private readonly Dictionary<string, SignalReading> _latest = new(StringComparer.Ordinal);
    private readonly HashSet<string> _unknownSignals = new(StringComparer.Ordinal);

    public DeviceTwin(string deviceId, string site)
    {
        DeviceId = deviceId;
        Site = site;
    }

    public string DeviceId { get; }
    public string Site { get; private set; }
    public Nameplate? Nameplate { get; private set; }

    /// <summary>Last state the device or its agent published; null when it never did.</summary>
    public bool? StatusOnline { get; private set; }

    public DateTimeOffset? StatusChangedAt { get; private set; }

    /// <summary>Newest event time seen in the device's log.</summary>
    public long? LastEventTimeMs { get; private set; }

    /// <summary>Wall-clock time the service last received anything for this device.</summary>
    public DateTimeOffset? LastReceivedAt { get; private set; }

    public EventSummary? LastEvent { get; private set; }
    public long RecordCount { get; private set; }
    public long EventCount { get; private set; }

    public IReadOnlyDictionary<string, SignalReading> Latest => _latest;

    /// <summary>Signal names the device sent that its modality's catalog does not define (stored, flagged).</summary>
    public IReadOnlyCollection<string> UnknownSignals => _unknownSignals;

    public Modality? Modality => Nameplate?.Modality;

    /// <summary>Health, forecasts, open alerts, data quality and model versions as analytics last left them.</summary>
    public TwinAnalysis Analysis { get; private set; } = TwinAnalysis.Empty;

    /// <summary>Replaces the analysed state (analytics is its only writer).</summary>
    public void ApplyAnalysis(TwinAnalysis analysis) => Analysis = analysis;

    public void ApplyNameplate(Nameplate nameplate, string site, DateTimeOffset receivedAt)
    {
        Nameplate = nameplate;
        Site = site;
        Touch(receivedAt);
    }

    public void ApplyStatus(DeviceStatus status, DateTimeOffset receivedAt)
    {
        StatusOnline = status.Online;
        StatusChangedAt = receivedAt;
        LastReceivedAt = receivedAt > LastReceivedAt.GetValueOrDefault() ? receivedAt : LastReceivedAt;
    }

    /// <summary>Advances the twin with records in event time; names missing from <paramref name="catalog"/> are flagged.</summary>
    public void ApplyRecords(IReadOnlyList<LogRecord> records, ModalityCatalog? catalog, DateTimeOffset receivedAt)
    {
        foreach (var r in records)
        {
            RecordCount++;
            if (r.TimestampMs > LastEventTimeMs.GetValueOrDefault(long.MinValue))
            {
                LastEventTimeMs = r.TimestampMs;
            }

            if (r.Type == RecordType.Param)
            {
                var name = r.Name!;
                if (!_latest.TryGetValue(name, out var current) || r.TimestampMs >= current.TimestampMs)
                {
                    _latest[name] = new SignalReading(r.TimestampMs, r.Value);
                }

                if (catalog is not null && catalog.FindSignal(name) is null)
                {
                    _unknownSignals.Add(name);
                }
            }
            else
            {
                EventCount++;
                if (LastEvent is null || r.TimestampMs >= LastEvent.TimestampMs)
                {
                    LastEvent = new EventSummary(r.TimestampMs, r.Code!, r.Severity, r.Text);
                }
            }
        }

        Touch(receivedAt);
    }

    /// <summary>Newest maintenance record, in event time.</summary>
    public MaintenanceRecord? LastMaintenance { get; private set; }

    public void ApplyMaintenance(MaintenanceRecord record, DateTimeOffset receivedAt)
    {
        if (LastMaintenance is null || record.TimestampMs >= LastMaintenance.TimestampMs)
        {
            LastMaintenance = record;
        }

        Touch(receivedAt);
    }

    /// <summary>Restores state kept by the store (used at start-up).</summary>
    public void Restore(Nameplate? nameplate, bool? online, DateTimeOffset? statusAt, DateTimeOffset? lastReceivedAt, IEnumerable<KeyValuePair<string, SignalReading>> latest)
    {
        Nameplate = nameplate;
        StatusOnline = online;
        StatusChangedAt = statusAt;
        LastReceivedAt = lastReceivedAt;
        foreach (var (name, reading) in latest)
        {
            _latest[name] = reading;
            if (reading.TimestampMs > LastEventTimeMs.GetValueOrDefault(long.MinValue))
            {
                LastEventTimeMs = reading.TimestampMs;
            }
        }
    }

    /// <summary>Online when the last status said so; with no status, when something arrived within <paramref name="silence"/>.</summary>
    public bool IsOnline(DateTimeOffset now, TimeSpan silence) =>
        StatusOnline ?? (LastReceivedAt is { } at && now - at <= silence);

    private void Touch(DateTimeOffset receivedAt)
    {
        if (LastReceivedAt is null || receivedAt > LastReceivedAt)
        {
            LastReceivedAt = receivedAt;
        }
    }
}
