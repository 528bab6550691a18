using System.Security.Cryptography;
using EquipmentTwin.Core.Catalog;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Simulator.Faults;
using EquipmentTwin.Simulator.Fleets;
using EquipmentTwin.Simulator.Simulation;

namespace EquipmentTwin.Simulator.Tests;

/// <summary>Small fleets built in code over the real catalogs and fault library in seeds/.</summary>
internal static class TestFleets
{
    public static string Seeds { get; } = Path.Combine(AppContext.BaseDirectory, "seeds");
    public static SignalCatalog Catalog { get; } = SignalCatalog.LoadDirectory(Path.Combine(Seeds, "catalog"));
    public static FaultLibrary Library { get; } = FaultLibrary.LoadDirectory(Path.Combine(Seeds, "faults"));

    /// <summary>A Monday.</summary>
    public static readonly DateTimeOffset Monday = new(2026, 1, 5, 0, 0, 0, TimeSpan.Zero);

    public static DeviceSpec Device(string id, Modality modality, FaultAssignment[]? faults = null, bool mobile = false, bool zeroBoilOff = true, double serviceIntervalDays = 0) => new()
    {
        Id = id,
        Site = "site1",
        Modality = modality,
        Vendor = "Acme",
        Model = modality.ToWire().ToUpperInvariant() + "-1",
        Serial = "SN-" + id,
        Installed = "2020-01-01",
        Software = "1.0",
        Mobile = mobile,
        ZeroBoilOff = zeroBoilOff,
        ServiceIntervalDays = serviceIntervalDays,
        Faults = faults ?? [],
    };

    public static FaultAssignment Fault(string scenario, double onsetDays, double? durationDays = null, RepairKind repair = RepairKind.Repair, double delayHours = 36) => new()
    {
        Scenario = scenario,
        OnsetDays = onsetDays,
        DurationDays = durationDays,
        Repair = new RepairPolicy(repair, delayHours),
        Path = "devices[0].faults[0]",
    };

    public static FleetDefinition Fleet(params DeviceSpec[] devices) => new()
    {
        Name = "test",
        SourcePath = "test-fleet.json",
        Sites = [new SiteSpec("site1", "Site 1", 0)],
        Devices = devices,
    };

    public static FleetSimulator Sim(FleetDefinition fleet, double days, int seed = 1, SimulationDetail detail = SimulationDetail.Full, int parallelism = 1) =>
        new(fleet, Library, Catalog, new SimulationOptions { Seed = seed, Start = Monday, Days = days, Detail = detail, Parallelism = parallelism });

    /// <summary>Copies every record of a run (the simulator reuses its buffers).</summary>
    public static List<(string Device, LogRecord Record)> Collect(FleetSimulator sim)
    {
        var all = new List<(string, LogRecord)>();
        foreach (var step in sim.Run())
        {
            foreach (var r in step.Records)
            {
                all.Add((step.Device.Id, r));
            }
        }

        return all;
    }

    /// <summary>SHA-256 over the wire encoding of every step: equal hashes mean byte-identical output.</summary>
    public static string Hash(FleetSimulator sim)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var step in sim.Run())
        {
            sha.AppendData(System.Text.Encoding.UTF8.GetBytes(step.Device.Id));
            sha.AppendData(WireCodec.EncodeLogs(new LogBatch("x", step.FromMs, step.Records.ToArray())));
            foreach (var m in step.Maintenance)
            {
                sha.AppendData(WireCodec.EncodeMaintenance(m));
            }
        }

        return Convert.ToHexString(sha.GetHashAndReset());
    }
}
