using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace EquipmentTwin.Service.OpenApi;

/// <summary>The HTTP API described as OpenAPI 3.1 at <c>/openapi/v1.json</c> (open, like /health), generated from the mapped endpoints.</summary>
public static class OpenApiEndpoints
{
    public const string DocumentPath = "/openapi/v1.json";

    public static IServiceCollection AddTwinOpenApi(this IServiceCollection services)
    {
        services.AddOpenApi("v1", o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "EquipmentTwin";
            document.Info.Description = "Digital twin of hospital imaging equipment: devices, signals, events, maintenance, alerts. Errors are RFC 7807 problem details; GET/HEAD under /api need the viewer role, other methods engineer (docs/api.md).";
            return Task.CompletedTask;
        }));
        return services;
    }

    public static IEndpointRouteBuilder MapTwinOpenApi(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi("/openapi/{documentName}.json");
        return app;
    }
}
