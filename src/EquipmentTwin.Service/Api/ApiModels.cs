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
    IReadOnlyDictionary<string, LatestValueDto> Latest,
    TwinAnalysisDto Analysis);

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
    IReadOnlyCollection<string> UnknownSignals,
    TwinAnalysisDto Analysis);

/// <summary>
/// The analysed state of a twin: health, a risk score for ranking (soonest P50 crossing of an open alert weighted by
/// its confidence, then severity; 0 = nothing open), the signal that tells most about it, open alerts, forecasts,
/// data quality and model versions.
/// </summary>
public sealed record TwinAnalysisDto(
    string Health,
    double Risk,
    string? TellingSignal,
    string? EventTime,
    IReadOnlyList<TwinAlertDto> OpenAlerts,
    IReadOnlyList<TwinForecastDto> Forecasts,
    IReadOnlyList<TwinDataQualityDto> DataQuality,
    IReadOnlyDictionary<string, string> ModelVersions)
{
    /// <summary>The latest learned RUL band per component (empty when no RUL model covers the device).</summary>
    public IReadOnlyList<TwinRulDto> RemainingLife { get; init; } = [];
}

/// <summary>
/// A component's remaining useful life from a learned RUL model: P10 ≤ P50 ≤ P90 in days as of <c>asOf</c> (the end of
/// the device's last complete day, event time) and the same as dates; <c>near</c> when P10 is within <c>horizonDays</c>.
/// </summary>
public sealed record TwinRulDto(string Component, string Model, string AsOf, double P10Days, double P50Days, double P90Days, string P10, string P50, string P90, int Days, bool Near, double HorizonDays);

public sealed record TwinAlertDto(string Id, string Component, string State, string Severity, double Confidence, string OpenedAt, string? P50);

public sealed record TwinForecastDto(string Component, string Signal, double Threshold, string Direction, string P10, string P50, string P90, string Model, IReadOnlyDictionary<string, double> Parameters, double RSquared, int Points, string ComputedAt);

public sealed record TwinDataQualityDto(string Signal, string Kind, string Since, string Updated, string Summary);

public sealed record SignalBucketsDto(string Device, string Signal, string? Unit, string From, string To, long BucketMs, int Count, IReadOnlyList<BucketDto> Buckets);

public sealed record BucketDto(string Ts, double Min, double Max, double Mean, long Count);

public sealed record MaintenanceDto(string Ts, string Component, string Action, string? Text, string? Engineer);

public sealed record MaintenanceListDto(string Device, string From, string To, int Count, IReadOnlyList<MaintenanceDto> Records);

public sealed record PointDto(string Ts, double Value);

/// <summary>Raw readings, oldest first; <c>truncated</c> when the range holds more than <c>limit</c>: <c>continuation</c> is the <c>from</c> of the next page, <c>next</c> its URL.</summary>
public sealed record SignalSeriesDto(string Device, string Signal, string? Unit, string From, string To, int Count, IReadOnlyList<PointDto> Points, bool Truncated,
    string? Continuation, string? Next);

public sealed record EventListDto(string Device, string From, string To, int Count, IReadOnlyList<EventDto> Events);

/// <summary>A quarantined payload: <c>payload</c> holds its first <c>payloadKeptBytes</c>; <c>payloadBytes</c> and <c>payloadSha256</c> describe all of it.</summary>
public sealed record QuarantineDto(long Id, string ReceivedAt, string Topic, string Reason, string Detail, bool WholePayload, int RecordsRejected, long PayloadBytes, string PayloadEncoding, string Payload,
    int PayloadKeptBytes, bool PayloadTruncated, string? PayloadSha256);

/// <summary>One page, newest first; <c>continuation</c> is null on the last page, else pass it back (or follow <c>next</c>).</summary>
public sealed record QuarantineListDto(int Count, IReadOnlyList<QuarantineDto> Entries, string? Continuation, string? Next);

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
