using EquipmentTwin.Service.Analytics;
using EquipmentTwin.Service.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;

namespace EquipmentTwin.Service.Api;

/// <summary><c>POST /api/models/retrain</c> starts train → validate → gate → promote on the store's data and labels; the job is a resource to poll (docs/api.md).</summary>
public static class RetrainEndpoints
{
    public sealed record FiguresDto(double Recall, double FalseAlarmsPer100DeviceMonths, int Failures, int FalseAlarms, string HeldOut);

    public sealed record ResultDto(string Kind, int? Version, string State, string Reason, FiguresDto? Candidate, FiguresDto? Champion);

    public sealed record JobDto(string Id, string State, string RequestedBy, string Trigger, string StartedAt, string? FinishedAt, string? Error, IReadOnlyList<ResultDto> Results, string Location);

    public static IEndpointRouteBuilder MapRetrainApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/models/retrain");
        api.MapPost("", (HttpContext http, ModelRetrainer retrainer, IHostApplicationLifetime lifetime) =>
        {
            var actor = http.User.Identity?.Name ?? "anonymous";
            if (retrainer.TryStart(actor, "api", lifetime.ApplicationStopping) is not { } job)
            {
                var running = retrainer.Jobs.FirstOrDefault(j => j.State == "running");
                return Problems.Conflict($"a retrain is already running (job {running?.Id}, started {(running is null ? "" : Time(running.StartedAt))} by {running?.RequestedBy}); one runs at a time");
            }

            return new Accepted(LocationOf(job), Results.Json(ToDto(job), AlertJson.Options, statusCode: StatusCodes.Status202Accepted));
        });
        api.MapGet("", (ModelRetrainer retrainer) =>
        {
            var jobs = retrainer.Jobs.Select(ToDto).ToList();
            return Results.Json(new { count = jobs.Count, jobs }, AlertJson.Options);
        });
        api.MapGet("/{id}", (string id, ModelRetrainer retrainer) =>
            retrainer.Find(id) is { } job ? Results.Json(ToDto(job), AlertJson.Options) : Problems.NotFound($"retrain job '{id}' is not known (the last 20 are kept)"));
        return app;
    }

    private static string LocationOf(RetrainJob job) => "/api/models/retrain/" + job.Id;

    private static JobDto ToDto(RetrainJob j) => new(j.Id, j.State, j.RequestedBy, j.Trigger, Time(j.StartedAt), j.FinishedAt is { } f ? Time(f) : null, j.Error,
        j.Results.Select(r => new ResultDto(r.Kind, r.Version, r.State, r.Reason, Dto(r.Candidate), Dto(r.Champion))).ToList(), LocationOf(j));

    private static FiguresDto? Dto(HeldOutFigures? f) => f is null ? null : new(f.Recall, f.FalseAlarmsPer100DeviceMonths, f.Failures, f.FalseAlarms, f.HeldOut);

    private static string Time(DateTimeOffset t) => AlertJson.Time(t.ToUnixTimeMilliseconds());

    /// <summary>202 with a Location header and the job as body.</summary>
    private sealed class Accepted(string location, IResult body) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.Location = location;
            return body.ExecuteAsync(httpContext);
        }
    }
}
