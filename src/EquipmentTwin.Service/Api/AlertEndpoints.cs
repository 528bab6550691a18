using EquipmentTwin.Service.Analytics;
using EquipmentTwin.Service.Twins;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace EquipmentTwin.Service.Api;

/// <summary>Maintenance alerts and forecasts (docs/api.md).</summary>
public static class AlertEndpoints
{
    public sealed record AlertActionBody(string? By, string? Reason);

    public static IEndpointRouteBuilder MapAlertApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api");
        api.MapGet("/alerts", (string? state, string? device, AnalyticsService analytics) =>
        {
            if (state is not (null or "open" or "all"))
            {
                return Results.BadRequest(new ErrorDto("state must be open or all"));
            }

            var alerts = analytics.Alerts(device, openOnly: state != "all").Select(AlertJson.ToDto).ToList();
            return Results.Json(new { count = alerts.Count, alerts }, AlertJson.Options);
        });
        api.MapGet("/alerts/{id}", (string id, AnalyticsService analytics) =>
            analytics.Alert(id) is { } a ? Results.Json(AlertJson.ToDto(a), AlertJson.Options) : Results.NotFound(new ErrorDto($"alert '{id}' is not known")));
        api.MapPost("/alerts/{id}/ack", (string id, HttpRequest request, AnalyticsService analytics, CancellationToken ct) => Act(id, AnalyticsService.Action.Acknowledge, request, analytics, ct));
        api.MapPost("/alerts/{id}/resolve", (string id, HttpRequest request, AnalyticsService analytics, CancellationToken ct) => Act(id, AnalyticsService.Action.Resolve, request, analytics, ct));
        api.MapPost("/alerts/{id}/false-alarm", (string id, HttpRequest request, AnalyticsService analytics, CancellationToken ct) => Act(id, AnalyticsService.Action.FalseAlarm, request, analytics, ct));
        api.MapGet("/devices/{id}/forecasts", (string id, AnalyticsService analytics, TwinRegistry twins) =>
        {
            if (twins.Read(id, t => t.DeviceId) is null)
            {
                return Results.NotFound(new ErrorDto($"device '{id}' is not known"));
            }

            var summary = analytics.Summary(id);
            return Results.Json(new
            {
                device = id,
                health = summary?.Health ?? "ok",
                eventTime = summary?.EventTime,
                forecasts = summary?.Forecasts ?? [],
                openAlerts = summary?.OpenAlerts ?? [],
                dataQuality = summary?.DataQuality ?? [],
            }, AlertJson.Options);
        });
        return app;
    }

    private static async Task<IResult> Act(string id, AnalyticsService.Action action, HttpRequest request, AnalyticsService analytics, CancellationToken ct)
    {
        AlertActionBody? body = null;
        if (request.ContentLength is > 0)
        {
            try
            {
                body = await request.ReadFromJsonAsync<AlertActionBody>(AlertJson.Options, ct);
            }
            catch (System.Text.Json.JsonException ex)
            {
                return Results.BadRequest(new ErrorDto("body must be JSON {\"by\": \"…\", \"reason\": \"…\"}: " + ex.Message));
            }
        }

        if (analytics.Alert(id) is not { } before)
        {
            return Results.NotFound(new ErrorDto($"alert '{id}' is not known"));
        }

        var after = await analytics.ActAsync(id, action, body?.By, body?.Reason, ct);
        return after is null
            ? Results.Conflict(new ErrorDto($"alert '{id}' is {AlertJson.ToDto(before).State}; it cannot be {action switch { AnalyticsService.Action.Acknowledge => "acknowledged", AnalyticsService.Action.Resolve => "resolved", _ => "marked a false alarm" }}"))
            : Results.Json(AlertJson.ToDto(after), AlertJson.Options);
    }
}
