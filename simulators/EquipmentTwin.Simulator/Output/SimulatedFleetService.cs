using EquipmentTwin.Core.Catalog;
using EquipmentTwin.Simulator.Faults;
using EquipmentTwin.Simulator.Fleets;
using EquipmentTwin.Simulator.Simulation;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EquipmentTwin.Simulator.Output;

/// <summary>Settings of <see cref="SimulatedFleetService"/>.</summary>
public sealed record LiveSimulationSettings
{
    public required string FleetPath { get; init; }
    public required string FaultsDirectory { get; init; }
    public required string CatalogDirectory { get; init; }
    public int Seed { get; init; } = 1;
    public double Acceleration { get; init; } = 3600;
    public double Days { get; init; } = 365;
    public SimulationDetail Detail { get; init; } = SimulationDetail.Full;
    public string Host { get; init; } = "127.0.0.1";
    public required int Port { get; init; }
}

/// <summary>
/// Runs a simulated fleet live inside <c>twin serve --simulate</c>: event time starts at the wall clock
/// truncated to the hour and is published to the embedded broker at the configured acceleration.
/// </summary>
public sealed partial class SimulatedFleetService(LiveSimulationSettings settings, TimeProvider time, ILogger<SimulatedFleetService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Load first so a bad fleet file is reported at once.
        var fleet = FleetLoader.Load(settings.FleetPath);
        var faults = FaultLibrary.LoadDirectory(settings.FaultsDirectory);
        var catalog = SignalCatalog.LoadDirectory(settings.CatalogDirectory);
        var now = time.GetUtcNow();
        var start = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero);
        var sim = new FleetSimulator(fleet, faults, catalog, new SimulationOptions
        {
            Seed = settings.Seed,
            Start = start,
            Days = settings.Days,
            Detail = settings.Detail,
            Parallelism = 1,
        });

        // Seq restarts where a rerun from the same start hour would give identical data (duplicates, correctly dropped);
        // a later start hour gives new seqs, so a rerun on the same data folder is not mistaken for a replay.
        var firstSeq = 1 + (start.ToUnixTimeMilliseconds() / 3_600_000 % 1_000_000) * 1_000_000;
        var publisher = new LiveFleetPublisher(sim, new LivePublishOptions
        {
            Host = settings.Host,
            Port = settings.Port,
            Acceleration = settings.Acceleration,
            FirstSeq = firstSeq,
        }, time, logger);
        try
        {
            await Task.Yield();
            await publisher.RunAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            LogStopped();
        }
        catch (Exception ex)
        {
            LogFailed(ex);
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Simulated fleet stopped")]
    private partial void LogStopped();

    [LoggerMessage(Level = LogLevel.Error, Message = "Simulated fleet failed")]
    private partial void LogFailed(Exception ex);
}
