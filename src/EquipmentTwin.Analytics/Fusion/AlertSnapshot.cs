using EquipmentTwin.Analytics.Engines;
using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Analytics.Fusion;

/// <summary>Everything an alert holds, as plain data: what the service stores, publishes and restores.</summary>
public sealed record AlertSnapshot(
    string Id,
    string DeviceId,
    string Site,
    Modality Modality,
    string Group,
    string Component,
    AlertState State,
    long OpenedMs,
    long UpdatedMs,
    long? ClosedMs,
    string? ClosedReason,
    string? AcknowledgedBy,
    double Confidence,
    Severity Severity,
    Forecast? Forecast,
    Forecast? FirstForecast,
    IReadOnlyList<Evidence> Evidence,
    long LastEvidenceMs,
    int Revision,
    IReadOnlyDictionary<EngineKind, long> FirstEvidenceMs,
    string? ClosedBy = null,
    string? OpenedOn = null);
