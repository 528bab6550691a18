using EquipmentTwin.Service.Analytics;
using EquipmentTwin.Storage.Labels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace EquipmentTwin.Service.Api;

/// <summary>The label set: false alarms, confirmed faults and maintenance with their provenance (docs/models.md).</summary>
public static class LabelEndpoints
{
    public sealed record LabelDto(string Kind, string Device, string Component, string At, string? Until, string? Alert, string Who, string RecordedAt, string Source, string? Comment);

    public static IEndpointRouteBuilder MapLabelApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/labels", async (string? device, ILabelStore labels, CancellationToken ct) =>
        {
            var list = (await labels.ListAsync(device, ct)).Select(l => new LabelDto(l.Kind, l.DeviceId, l.Component, AlertJson.Time(l.AtMs), l.UntilMs is { } u ? AlertJson.Time(u) : null,
                l.AlertId, l.Who, AlertJson.Time(l.RecordedAt.ToUnixTimeMilliseconds()), l.Source, l.Comment)).ToList();
            return Results.Json(new { count = list.Count, labels = list }, AlertJson.Options);
        });
        app.MapGet("/api/labels.csv", async (ILabelStore labels, CancellationToken ct) => Results.Text(LabelCsv.Write(await labels.ListAsync(null, ct)), "text/csv; charset=utf-8"));
        return app;
    }
}
