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
        // The listener is created here, not at the first scrape, so counters count from the start. The observable
        // instruments read current state and are created at the first scrape: resolving them here would open the
        // store before the host starts (and before start-up errors are reported as such).
        app.ServiceProvider.GetRequiredService<PrometheusExporter>();
        app.MapGet("/metrics", (PrometheusExporter exporter, ServiceMetrics _) => Results.Text(exporter.Scrape(), "text/plain; version=0.0.4; charset=utf-8"))
            .ExcludeFromDescription();
        return app;
    }
}
