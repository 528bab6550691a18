using System.Text.Json;
using EquipmentTwin.Analytics.Fusion;
using EquipmentTwin.Service.Alerts;
using EquipmentTwin.Service.Analytics;
using EquipmentTwin.Service.Twins;
using EquipmentTwin.Storage.Audit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace EquipmentTwin.Service.Api;

/// <summary>Maintenance alerts, their actions and audit trail, and forecasts (docs/api.md).</summary>
public static class AlertEndpoints
{
    /// <summary>Longest comment kept with an action.</summary>
    public const int MaxCommentLength = 2000;

    public sealed record AuditEntryDto(long Seq, string By, string WallTime, string EventTime, string Action, string? From, string To, string? Comment);

    public sealed record AlertHistoryDto(string Alert, int Count, IReadOnlyList<AuditEntryDto> Entries);

    public static IEndpointRouteBuilder MapAlertApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api");
        api.MapGet("/alerts", (string? state, string? device, AlertService alerts) =>
        {
            if (!TryStates(state, out var states))
            {
                return Problems.BadRequest("state must be open, acknowledged, closed, resolved, false-alarm or all");
            }

            var list = alerts.Alerts(device, states).Select(AlertJson.ToDto).ToList();
            return Results.Json(new { count = list.Count, alerts = list }, AlertJson.Options);
        });
        api.MapGet("/alerts/{id}", (string id, AlertService alerts) =>
            alerts.Alert(id) is { } a ? Results.Json(AlertJson.ToDto(a), AlertJson.Options) : Problems.NotFound($"alert '{id}' is not known"));
        api.MapGet("/alerts/{id}/history", async (string id, AlertService alerts, CancellationToken ct) =>
        {
            if (alerts.Alert(id) is null)
            {
                return Problems.NotFound($"alert '{id}' is not known");
            }

            var entries = (await alerts.HistoryAsync(id, ct)).Select(ToDto).ToArray();
            return Results.Json(new AlertHistoryDto(id, entries.Length, entries), AlertJson.Options);
        });
        api.MapPost("/alerts/{id}/ack", (string id, HttpContext http, AlertService alerts, CancellationToken ct) => Act(id, AlertAction.Acknowledge, http, alerts, ct));
        api.MapPost("/alerts/{id}/resolve", (string id, HttpContext http, AlertService alerts, CancellationToken ct) => Act(id, AlertAction.Resolve, http, alerts, ct));
        api.MapPost("/alerts/{id}/false-alarm", (string id, HttpContext http, AlertService alerts, CancellationToken ct) => Act(id, AlertAction.FalseAlarm, http, alerts, ct));
        api.MapGet("/devices/{id}/forecasts", (string id, AlertService alerts, TwinRegistry twins) =>
        {
            if (twins.Read(id, t => t.DeviceId) is null)
            {
                return Problems.NotFound($"device '{id}' is not known");
            }

            var summary = alerts.Summary(id);
            return Results.Json(new
            {
                device = id,
                health = summary?.Health ?? "ok",
                eventTime = summary?.EventTime,
                forecasts = summary?.Forecasts ?? [],
                openAlerts = summary?.OpenAlerts ?? [],
                dataQuality = summary?.DataQuality ?? [],
                modelVersions = summary?.ModelVersions ?? new Dictionary<string, string>(),
            }, AlertJson.Options);
        });
        return app;
    }

    internal static AuditEntryDto ToDto(AuditEntry e) =>
        new(e.Id, e.Actor, ApiEndpoints.Format(e.WallTime)!, AlertJson.Time(e.EventTimeMs), e.Action, e.FromState, e.ToState, e.Comment);

    internal static bool TryStates(string? state, out IReadOnlySet<AlertState>? states)
    {
        states = state switch
        {
            null or "open" => null,
            "acknowledged" => new HashSet<AlertState> { AlertState.Acknowledged },
            "resolved" => new HashSet<AlertState> { AlertState.Resolved },
            "false-alarm" => new HashSet<AlertState> { AlertState.FalseAlarm },
            "closed" => new HashSet<AlertState> { AlertState.Resolved, AlertState.FalseAlarm },
            "all" => new HashSet<AlertState>(Enum.GetValues<AlertState>()),
            _ => new HashSet<AlertState>(),
        };
        return states is null || states.Count > 0;
    }

    private static async Task<IResult> Act(string id, AlertAction action, HttpContext http, AlertService alerts, CancellationToken ct)
    {
        var (comment, error) = await ReadCommentAsync(http.Request, ct);
        if (error is not null)
        {
            return Problems.BadRequest(error);
        }

        if (Actor.Of(http) is not { } actor)
        {
            return Problems.Unauthorized("an alert action needs an authenticated engineer");
        }

        var result = await alerts.ActAsync(id, action, actor, comment, ct);
        return result.Outcome switch
        {
            AlertActionOutcome.NotFound => Problems.NotFound($"alert '{id}' is not known"),
            AlertActionOutcome.IllegalTransition => Problems.Conflict($"alert '{id}' is {result.Alert!.State.ToWire()}; it cannot be {Past(action)}"),
            _ => Results.Json(AlertJson.ToDto(result.Alert!), AlertJson.Options),
        };
    }

    private static string Past(AlertAction action) => action switch
    {
        AlertAction.Acknowledge => "acknowledged",
        AlertAction.Resolve => "resolved",
        _ => "marked a false alarm",
    };

    /// <summary>An empty body, or a JSON object with an optional <c>comment</c> (<c>reason</c> is read as the same). Anything else is a bad request.</summary>
    private static async Task<(string? Comment, string? Error)> ReadCommentAsync(HttpRequest request, CancellationToken ct)
    {
        using var reader = new StreamReader(request.Body);
        var text = await reader.ReadToEndAsync(ct);
        if (string.IsNullOrWhiteSpace(text))
        {
            return (null, null);
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(text);
        }
        catch (JsonException ex)
        {
            return (null, "the body must be a JSON object {\"comment\": \"…\"}: " + ex.Message);
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (null, "the body must be a JSON object {\"comment\": \"…\"}");
            }

            string? comment = null;
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                switch (p.Name.ToLowerInvariant())
                {
                    case "comment" or "reason" when p.Value.ValueKind is JsonValueKind.String or JsonValueKind.Null:
                        comment = p.Value.ValueKind == JsonValueKind.Null ? null : p.Value.GetString()!.Trim();
                        break;
                    case "comment" or "reason":
                        return (null, $"'{p.Name}' must be a string");
                    case "by":
                        return (null, "'by' is not accepted: the action is recorded under the authenticated identity");
                    default:
                        return (null, $"unknown field '{p.Name}' (only 'comment' is read)");
                }
            }

            if (comment is { Length: > MaxCommentLength })
            {
                return (null, $"the comment is longer than {MaxCommentLength} characters");
            }

            return (comment is { Length: 0 } ? null : comment, null);
        }
    }
}
