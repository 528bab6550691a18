using EquipmentTwin.Core.Catalog;
using EquipmentTwin.Simulator.Faults;
using EquipmentTwin.Simulator.Fleets;

namespace EquipmentTwin.Cli.Fleets;

/// <summary>A fleet file with its fault scenarios and signal catalogs, found beside it unless given.</summary>
public static class FleetFiles
{
    public static (FleetDefinition Fleet, FaultLibrary Faults, SignalCatalog Catalog) Load(string fleetPath, string? faultsDir, string? catalogDir)
    {
        var fleet = FleetLoader.Load(fleetPath);
        var faults = FaultLibrary.LoadDirectory(ResolveSeedDirectory(fleetPath, "faults", faultsDir));
        var catalog = SignalCatalog.LoadDirectory(ResolveSeedDirectory(fleetPath, "catalog", catalogDir));
        return (fleet, faults, catalog);
    }

    /// <summary>seeds/{name} beside the fleet's folder (seeds/fleets/x.json → seeds/{name}), else beside the program.</summary>
    public static string ResolveSeedDirectory(string fleetPath, string name, string? given)
    {
        if (given is not null)
        {
            return given;
        }

        var fleetDir = Path.GetDirectoryName(Path.GetFullPath(fleetPath)) ?? ".";
        var sibling = Path.Combine(fleetDir, "..", name);
        return Directory.Exists(sibling) ? Path.GetFullPath(sibling) : Path.Combine(AppContext.BaseDirectory, "seeds", name);
    }

    /// <summary>A file or folder shipped beside the program (config/rules, config/physics, models).</summary>
    public static string BesideProgram(params string[] parts) => Path.Combine([AppContext.BaseDirectory, .. parts]);
}
