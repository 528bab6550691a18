namespace EquipmentTwin.Service.Api;

public sealed record LatestValueDto(string Ts, double Value, string? Unit, string? Component, bool? InRange, bool Known);

public sealed record DeviceSummaryDto(
    string Id,
    string Site,
    string? Modality,
    string? Vendor,
    string? Model,
    string? Serial,
    bool Online,
    string? LastSeen,
    string? LastEventTime,
    IReadOnlyDictionary<string, LatestValueDto> Latest);

public sealed record NameplateDto(string Modality, string Vendor, string Model, string? Serial, string? Installed, string? Software);

public sealed record EventDto(string Ts, string Code, string Severity, string? Text, string? Component);

public sealed record DeviceTwinDto(
    string Id,
    string Site,
    NameplateDto? Nameplate,
    bool Online,
    bool? StatusOnline,
    string? StatusChangedAt,
    string? LastSeen,
    string? LastEventTime,
    long RecordsSinceStart,
    EventDto? LastEvent,
    IReadOnlyDictionary<string, LatestValueDto> Latest,
    IReadOnlyCollection<string> UnknownSignals);

public sealed record MaintenanceDto(string Ts, string Component, string Action, string? Text, string? Engineer);

public sealed record MaintenanceListDto(string Device, string From, string To, int Count, IReadOnlyList<MaintenanceDto> Records);

public sealed record PointDto(string Ts, double Value);

public sealed record SignalSeriesDto(string Device, string Signal, string? Unit, string From, string To, int Count, IReadOnlyList<PointDto> Points);

public sealed record EventListDto(string Device, string From, string To, int Count, IReadOnlyList<EventDto> Events);

public sealed record QuarantineDto(long Id, string ReceivedAt, string Topic, string Reason, string Detail, bool WholePayload, int RecordsRejected, int PayloadBytes, string PayloadEncoding, string Payload);

public sealed record QuarantineListDto(int Count, IReadOnlyList<QuarantineDto> Entries);

public sealed record IngestStatsDto(
    long BatchesAccepted,
    long RecordsAccepted,
    long DuplicatesDropped,
    long Rejected,
    long RecordsRejected,
    long Nameplates,
    long Statuses,
    long Maintenance,
    long ReadingsReplaced,
    int QueueDepth,
    long Writes,
    long WriteFailures,
    string? LastWriteAt,
    IReadOnlyList<IngestPositionDto> Positions);

public sealed record IngestPositionDto(string Source, long MaxSeq, long Batches, string LastReceivedAt);

public sealed record ComponentHealthDto(string State, string? Detail);

public sealed record HealthDto(string Status, IReadOnlyDictionary<string, ComponentHealthDto> Components);

public sealed record ErrorDto(string Error);
