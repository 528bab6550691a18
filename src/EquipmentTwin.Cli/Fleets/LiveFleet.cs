using EquipmentTwin.Service.Hosting;
using EquipmentTwin.Simulator;
using EquipmentTwin.Simulator.Output;
using EquipmentTwin.Simulator.Simulation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EquipmentTwin.Cli.Fleets;

/// <summary>The simulated fleet that <c>twin serve --simulate FILE</c> runs live into the service's broker.</summary>
public static class LiveFleet
{
    /// <summary>Checks the fleet now, so a bad file fails before the service starts.</summary>
    public static LiveSimulationSettings Prepare(string fleetPath, double acceleration)
    {
        var faultsDir = FleetFiles.ResolveSeedDirectory(fleetPath, "faults", null);
        var catalogDir = FleetFiles.ResolveSeedDirectory(fleetPath, "catalog", null);
        var (fleet, faults, catalog) = FleetFiles.Load(fleetPath, faultsDir, catalogDir);
        _ = new FleetSimulator(fleet, faults, catalog, new SimulationOptions { Days = 1 / 24.0 });
        return new LiveSimulationSettings
        {
            FleetPath = fleetPath,
            FaultsDirectory = faultsDir,
            CatalogDirectory = catalogDir,
            Acceleration = acceleration,
            Port = 0,
        };
    }

    /// <summary>Adds the live fleet to the service; it publishes to the embedded broker (or the external one the service uses).</summary>
    public static void Add(IServiceCollection services, LiveSimulationSettings settings) =>
        services.AddHostedService(sp =>
        {
            var mqtt = sp.GetRequiredService<IOptions<MqttOptions>>().Value;
            var host = mqtt.Embedded ? (mqtt.Bind is "0.0.0.0" or "::" ? "127.0.0.1" : mqtt.Bind) : mqtt.Host;
            return new SimulatedFleetService(settings with { Host = host, Port = mqtt.Port }, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<SimulatedFleetService>>());
        });
}
