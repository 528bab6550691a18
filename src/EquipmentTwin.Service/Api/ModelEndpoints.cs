using System.Text.Json;
using EquipmentTwin.Service.Analytics;
using EquipmentTwin.Service.Models;
using EquipmentTwin.Storage.Audit;
using EquipmentTwin.Storage.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace EquipmentTwin.Service.Api;

/// <summary>The model registry: versions, provenance, validation figures and state; promotion and rollback by an engineer (docs/api.md).</summary>
public static class ModelEndpoints
{
    public const int MaxReasonLength = 2000;

    public sealed record ModelDto(
        string Kind, int Version, string State, string Reason, string Source, string? TrainedFrom, string? TrainedTo, int[] Seeds,
        IReadOnlyDictionary<string, double> Validation, string? Artifact, string CreatedAt, string ChangedAt, string ChangedBy, string? PromotedAt, bool InUse);

    public sealed record ReasonBody(string? Reason);

    public static IEndpointRouteBuilder MapModelApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/models");
        api.MapGet("", async (string? kind, IModelRegistry registry, ModelsInUse inUse, CancellationToken ct) =>
        {
            var list = (await registry.ListAsync(kind, ct)).Select(m => ToDto(m, inUse)).ToList();
            return Results.Json(new { count = list.Count, models = list }, AlertJson.Options);
        });
        api.MapGet("/{kind}/{version:int}", async (string kind, int version, IModelRegistry registry, ModelsInUse inUse, CancellationToken ct) =>
            await registry.FindAsync(kind, version, ct) is { } m ? Results.Json(ToDto(m, inUse), AlertJson.Options) : Problems.NotFound($"model {kind}/{version} is not known"));
        api.MapGet("/{kind}/history", async (string kind, IAuditStore audit, CancellationToken ct) =>
        {
            var entries = (await audit.HistoryAsync("model/" + kind, ct)).Select(e => new AlertEndpoints.AuditEntryDto(e.Id, e.Actor, Time(e.WallTime), AlertJson.Time(e.EventTimeMs), e.Action, e.FromState, e.ToState, e.Comment)).ToArray();
            return entries.Length == 0 ? Problems.NotFound($"kind '{kind}' has no recorded changes") : Results.Json(new { kind, count = entries.Length, entries }, AlertJson.Options);
        });
        api.MapPost("/{kind}/{version:int}/promote", async (string kind, int version, HttpContext http, ModelRegistryService models, ModelsInUse inUse, CancellationToken ct) =>
        {
            if (await ReasonAsync(http, ct) is not { } reason)
            {
                return Problems.BadRequest($"a reason is required: {{\"reason\":\"...\"}} (at most {MaxReasonLength} characters)");
            }

            try
            {
                var promoted = await models.PromoteAsync(kind, version, http.User.Identity?.Name ?? "anonymous", reason, ct);
                return Results.Json(ToDto(promoted, inUse), AlertJson.Options);
            }
            catch (ModelRegistryException ex)
            {
                return ex.NotFound ? Problems.NotFound(ex.Message) : Problems.Conflict(ex.Message);
            }
        });
        api.MapPost("/{kind}/rollback", async (string kind, HttpContext http, ModelRegistryService models, ModelsInUse inUse, CancellationToken ct) =>
        {
            if (await ReasonAsync(http, ct) is not { } reason)
            {
                return Problems.BadRequest($"a reason is required: {{\"reason\":\"...\"}} (at most {MaxReasonLength} characters)");
            }

            try
            {
                return await models.RollbackAsync(kind, http.User.Identity?.Name ?? "anonymous", reason, ct) is { } r
                    ? Results.Json(new { retired = ToDto(r.Retired, inUse), restored = ToDto(r.Restored, inUse) }, AlertJson.Options)
                    : Problems.Conflict($"kind '{kind}' has no earlier champion to return to");
            }
            catch (ModelRegistryException ex)
            {
                return ex.NotFound ? Problems.NotFound(ex.Message) : Problems.Conflict(ex.Message);
            }
        });
        return app;
    }

    public static ModelDto ToDto(ModelRecord m, ModelsInUse inUse) => new(
        m.Kind, m.Version, m.State.ToWire(), m.Reason, m.Source,
        m.TrainedFromMs is { } f ? AlertJson.Time(f) : null, m.TrainedToMs is { } t ? AlertJson.Time(t) : null, m.Seeds, m.Validation, m.Artifact,
        Time(m.CreatedAt), Time(m.ChangedAt), m.ChangedBy, m.PromotedAt is { } p ? Time(p) : null,
        inUse.Find(m.Kind)?.Version == m.Version);

    private static string Time(DateTimeOffset t) => AlertJson.Time(t.ToUnixTimeMilliseconds());

    private static async Task<string?> ReasonAsync(HttpContext http, CancellationToken ct)
    {
        try
        {
            var body = await http.Request.ReadFromJsonAsync<ReasonBody>(AlertJson.Options, ct);
            return body?.Reason is { Length: > 0 and <= MaxReasonLength } r && !string.IsNullOrWhiteSpace(r) ? r.Trim() : null;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return null;
        }
    }
}
