namespace EquipmentTwin.Service.Ingest;

/// <summary>What the service did with one MQTT message; returned only after the store committed it.</summary>
public enum IngestOutcome
{
    Stored,
    Duplicate,
    Quarantined,

    /// <summary>Good records stored and bad ones quarantined.</summary>
    PartiallyQuarantined,

    /// <summary>Not for ingest (the service's own alerts and twin topics, or topics outside equipment/v1).</summary>
    Ignored,
}
