namespace EquipmentTwin.Core.WireFormat;

/// <summary>Limits the decoder enforces; documented in docs/wire-format.md.</summary>
public sealed record WireLimits
{
    public const string LogSchema = "equipment-log/1";
    public const string MaintenanceSchema = "equipment-maintenance/1";

    /// <summary>Largest payload accepted on any channel, in bytes (1 MiB).</summary>
    public int MaxPayloadBytes { get; init; } = 1024 * 1024;

    /// <summary>Most records in one <c>logs</c> batch.</summary>
    public int MaxRecordsPerBatch { get; init; } = 10_000;

    /// <summary>How far in the future (relative to receipt) a record may be stamped; null accepts any (simulated time runs ahead).</summary>
    public TimeSpan? MaxFutureSkew { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Earliest accepted event time: older stamps are a device clock that was never set.</summary>
    public DateTimeOffset MinTimestamp { get; init; } = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Latest accepted event time whatever the skew setting.</summary>
    public DateTimeOffset MaxTimestamp { get; init; } = new(2100, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public int MaxTextLength { get; init; } = 1024;
    public int MaxNameLength { get; init; } = 64;
    public int MaxSourceLength { get; init; } = 128;

    public static WireLimits Default { get; } = new();
}
