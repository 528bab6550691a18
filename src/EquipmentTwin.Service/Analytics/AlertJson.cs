using System.Text.Json;
using System.Text.Json.Serialization;
using EquipmentTwin.Analytics.Engines;
using EquipmentTwin.Analytics.Fusion;
using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Service.Analytics;

public sealed record ReadingDto(string Name, double Value, string Ts);

public sealed record ForecastDto(
    string Component,
    string Signal,
    double Threshold,
    string Direction,
    string P10,
    string P50,
    string P90,
    string Model,
    IReadOnlyDictionary<string, double> Parameters,
    double RSquared,
    int Points,
    string ComputedAt);

public sealed record EvidenceDto(string Engine, string Source, string Component, string Since, string Updated, double Confidence, string Severity, string Summary, IReadOnlyList<ReadingDto> Readings, ForecastDto? Forecast);

/// <summary>An alert as the API returns it and as it is published on <c>equipment/v1/{site}/{device}/alerts</c>.</summary>
public sealed record AlertDto(
    string Id,
    string DeviceId,
    string Site,
    string Modality,
    string Component,
    string Group,
    string State,
    string Severity,
    double Confidence,
    string OpenedAt,
    string UpdatedAt,
    string? ClosedAt,
    string? ClosedReason,
    string? AcknowledgedBy,
    string? ClosedBy,
    int Revision,
    IReadOnlyList<string> Engines,
    ForecastDto? Forecast,
    IReadOnlyList<EvidenceDto> Evidence,
    string? OpenedOn = null);

public sealed record DataQualityDto(string Signal, string Kind, string Since, string Updated, string Summary);

/// <summary>The twin summary published retained on <c>equipment/v1/{site}/{device}/twin</c>.</summary>
public sealed record TwinSummaryDto(string DeviceId, string Site, string Modality, string Health, string? EventTime, IReadOnlyList<AlertDto> OpenAlerts, IReadOnlyList<ForecastDto> Forecasts, IReadOnlyList<DataQualityDto> DataQuality, IReadOnlyDictionary<string, string> ModelVersions);

/// <summary>JSON shapes of alerts: the readable DTOs for API and MQTT, and the exact snapshot for the store.</summary>
public static class AlertJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    public static string Time(long ms) => WireCodec.FormatRfc3339(ms);

    public static ForecastDto ToDto(Forecast f) => new(f.Component, f.Signal, f.Threshold, f.Direction == ThresholdDirection.Above ? "above" : "below",
        Time(f.P10Ms), Time(f.P50Ms), Time(f.P90Ms), f.Model, f.Parameters, f.RSquared, f.Points, Time(f.ComputedAtMs));

    public static EvidenceDto ToDto(Evidence e) => new(Engine(e.Engine), e.Source, e.Component, Time(e.SinceMs), Time(e.UpdatedMs), Math.Round(e.Confidence, 3), e.Severity.ToWire(), e.Summary,
        e.Readings.Select(r => new ReadingDto(r.Name, r.Value, Time(r.TimestampMs))).ToArray(), e.Forecast is null ? null : ToDto(e.Forecast));

    public static AlertDto ToDto(AlertSnapshot a) => new(a.Id, a.DeviceId, a.Site, a.Modality.ToWire(), a.Component, a.Group, a.State.ToWire(), a.Severity.ToWire(), Math.Round(a.Confidence, 3),
        Time(a.OpenedMs), Time(a.UpdatedMs), a.ClosedMs is { } c ? Time(c) : null, a.ClosedReason, a.AcknowledgedBy, a.ClosedBy, a.Revision,
        a.FirstEvidenceMs.OrderBy(kv => kv.Value).Select(kv => Engine(kv.Key)).ToArray(),
        a.Forecast is null ? null : ToDto(a.Forecast), a.Evidence.Select(ToDto).ToArray(), a.OpenedOn);

    public static DataQualityDto ToDto(DataQualityIssue d) => new(d.Signal, d.Kind.ToString().ToLowerInvariant(), Time(d.SinceMs), Time(d.UpdatedMs), d.Summary);

    public static string Engine(EngineKind kind) => kind.ToString().ToLowerInvariant();

    public static string Serialize(AlertSnapshot snapshot) => JsonSerializer.Serialize(snapshot, Options);

    public static AlertSnapshot Deserialize(string json) => JsonSerializer.Deserialize<AlertSnapshot>(json, Options) ?? throw new JsonException("empty alert");

    /// <summary>Health of a device from its open alerts: ok, watch (warning), at-risk (error) or critical.</summary>
    public static string Health(IEnumerable<AlertSnapshot> open)
    {
        var worst = open.Select(a => (Severity?)a.Severity).Max();
        return worst switch
        {
            null => "ok",
            Severity.Info or Severity.Warning => "watch",
            Severity.Error => "at-risk",
            _ => "critical",
        };
    }
}
