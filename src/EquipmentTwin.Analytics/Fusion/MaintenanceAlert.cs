using EquipmentTwin.Analytics.Engines;
using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Analytics.Fusion;

/// <summary>
/// One alert per developing fault of one device and component group: its forecast, confidence,
/// severity and the evidence behind it, updated as the evidence changes. Times are event time.
/// </summary>
public sealed class MaintenanceAlert
{
    private readonly Dictionary<EngineKind, long> _firstEvidenceMs = new();
    private readonly Dictionary<string, long> _namedMs = new(StringComparer.Ordinal);

    internal MaintenanceAlert(string id, string deviceId, string site, Modality modality, string group, long openedMs)
    {
        Id = id;
        DeviceId = deviceId;
        Site = site;
        Modality = modality;
        Group = group;
        Component = group;
        OpenedMs = openedMs;
        UpdatedMs = openedMs;
    }

    public string Id { get; }
    public string DeviceId { get; }
    public string Site { get; }
    public Modality Modality { get; }

    /// <summary>The component group the alert is about (its first member names it).</summary>
    public string Group { get; }

    /// <summary>The most specific component the evidence points at.</summary>
    public string Component { get; internal set; }

    public AlertState State { get; internal set; } = AlertState.Open;
    public long OpenedMs { get; }
    public long UpdatedMs { get; internal set; }
    public long? ClosedMs { get; internal set; }
    public string? ClosedReason { get; internal set; }
    /// <summary>Who acknowledged the alert (only an acknowledgement sets it).</summary>
    public string? AcknowledgedBy { get; internal set; }

    /// <summary>Who closed it: the engineer who resolved it or marked it a false alarm, or the engineer of the maintenance record that explained it.</summary>
    public string? ClosedBy { get; internal set; }
    public double Confidence { get; internal set; }
    public Severity Severity { get; internal set; }
    public Forecast? Forecast { get; internal set; }

    /// <summary>Evidence behind the alert now (kept as last seen once it is withdrawn, until the alert closes).</summary>
    public IReadOnlyList<Evidence> Evidence { get; internal set; } = [];

    /// <summary>Event time of the last moment any evidence was present.</summary>
    public long LastEvidenceMs { get; internal set; }

    /// <summary>Incremented on every published change.</summary>
    public int Revision { get; internal set; }

    /// <summary>When each engine first spoke for this alert (event time).</summary>
    public IReadOnlyDictionary<EngineKind, long> FirstEvidenceMs => _firstEvidenceMs;

    /// <summary>
    /// When the alert first named each component (event time): what an engineer reading it was told to look
    /// at, and since when. The backtest scores foresight by it (docs/models.md).
    /// </summary>
    public IReadOnlyDictionary<string, long> NamedMs => _namedMs;

    /// <summary>The forecast as it stood when the alert first had one (kept for calibration).</summary>
    public Forecast? FirstForecast { get; internal set; }

    /// <summary>The summary of the strongest evidence the alert opened on (its evidence since may say something else).</summary>
    public string? OpenedOn { get; internal set; }

    public AlertSnapshot ToSnapshot() => new(Id, DeviceId, Site, Modality, Group, Component, State, OpenedMs, UpdatedMs, ClosedMs, ClosedReason,
        AcknowledgedBy, Confidence, Severity, Forecast, FirstForecast, Evidence, LastEvidenceMs, Revision, new Dictionary<EngineKind, long>(_firstEvidenceMs), ClosedBy, OpenedOn);

    public static MaintenanceAlert FromSnapshot(AlertSnapshot s)
    {
        var alert = new MaintenanceAlert(s.Id, s.DeviceId, s.Site, s.Modality, s.Group, s.OpenedMs)
        {
            Component = s.Component,
            State = s.State,
            UpdatedMs = s.UpdatedMs,
            ClosedMs = s.ClosedMs,
            ClosedReason = s.ClosedReason,
            AcknowledgedBy = s.AcknowledgedBy,
            ClosedBy = s.ClosedBy,
            Confidence = s.Confidence,
            Severity = s.Severity,
            Forecast = s.Forecast,
            FirstForecast = s.FirstForecast,
            OpenedOn = s.OpenedOn,
            Evidence = s.Evidence,
            LastEvidenceMs = s.LastEvidenceMs,
            Revision = s.Revision,
        };
        foreach (var (engine, ms) in s.FirstEvidenceMs)
        {
            alert.NoteEngine(engine, ms);
        }

        alert.NoteNamed(s.Component, s.UpdatedMs);
        return alert;
    }

    internal void NoteEngine(EngineKind engine, long ms) => _firstEvidenceMs.TryAdd(engine, ms);

    internal void NoteNamed(string component, long ms) => _namedMs.TryAdd(component, ms);

    public override string ToString() => $"{Id} {State.ToWire()} {DeviceId}/{Component} conf {Confidence:0.00} {Severity.ToWire()}";
}
