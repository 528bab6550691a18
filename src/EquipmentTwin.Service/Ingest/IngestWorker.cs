using Microsoft.Extensions.Hosting;

namespace EquipmentTwin.Service.Ingest;

/// <summary>Runs the single store writer of <see cref="IngestPipeline"/>.</summary>
public sealed class IngestWorker(IngestPipeline pipeline) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => pipeline.RunAsync(stoppingToken);
}
