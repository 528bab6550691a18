using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EquipmentTwin.Edge.Sources;

/// <summary>Runs every configured source; a source that fails is logged, counted and started again, never taking the others down.</summary>
public sealed partial class SourcesService(IReadOnlyList<IEdgeSource> sources, ILogger<SourcesService> logger) : BackgroundService
{
    private long _restarts;

    public long Restarts => Interlocked.Read(ref _restarts);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(sources.Select(s => Task.Run(() => RunGuardedAsync(s, stoppingToken), stoppingToken)));

    private async Task RunGuardedAsync(IEdgeSource source, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await source.RunAsync(ct).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Interlocked.Increment(ref _restarts);
                LogSourceFailed(ex, source.GetType().Name);
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Source {Source} failed; starting it again in 1 s from its last position")]
    private partial void LogSourceFailed(Exception ex, string source);
}
