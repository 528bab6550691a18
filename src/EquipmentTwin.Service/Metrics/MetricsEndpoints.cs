using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace EquipmentTwin.Service.Metrics;

/// <summary><c>GET /metrics</c>: Prometheus text format, open like /health (AccessPolicy).</summary>
public static class MetricsEndpoints
{
    public static IServiceCollection AddTwinMetrics(this IServiceCollection services)
    {
        services.AddMetrics();
        services.AddSingleton<PrometheusExporter>();
        services.AddSingleton<ServiceMetrics>();
        return services;
    }

    public static IEndpointRouteBuilder MapTwinMetrics(this IEndpointRouteBuilder app)
    {
        // Created here, not lazily at the first scrape, so counters count from the start.
        app.ServiceProvider.GetRequiredService<PrometheusExporter>();
        app.ServiceProvider.GetRequiredService<ServiceMetrics>();
        app.MapGet("/metrics", (PrometheusExporter exporter) => Results.Text(exporter.Scrape(), "text/plain; version=0.0.4; charset=utf-8"))
            .ExcludeFromDescription();
        return app;
    }
}
