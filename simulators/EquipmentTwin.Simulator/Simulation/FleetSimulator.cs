using System.Runtime.ExceptionServices;
using EquipmentTwin.Core.Catalog;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Simulator.Devices;
using EquipmentTwin.Simulator.Faults;
using EquipmentTwin.Simulator.Fleets;

namespace EquipmentTwin.Simulator.Simulation;

/// <summary>
/// Simulates a fleet in event time, tick by tick (1 h): every device's records for tick k, then tick k + 1.
/// Deterministic: the fleet, the fault library, the catalog and the options fix the output byte for byte;
/// the wall clock is never read.
/// </summary>
public sealed class FleetSimulator
{
    public const long TickMs = 3_600_000;

    private readonly DeviceModel[] _models;
    private readonly List<FaultInstance> _faults = [];
    private bool _started;

    public FleetSimulator(FleetDefinition fleet, FaultLibrary faults, SignalCatalog catalog, SimulationOptions options)
    {
        Fleet = fleet;
        Options = options;
        faults.Validate(catalog);

        var start = options.Start ?? fleet.Start ?? SimulationOptions.DefaultStart;
        StartMs = start.ToUnixTimeMilliseconds() / 60_000 * 60_000;
        var days = options.Days ?? fleet.Days ?? 30;
        if (!(days > 0))
        {
            throw new SimulationConfigException($"days {days} must be positive");
        }

        EndMs = StartMs + (long)Math.Round(days * 86_400_000 / 60_000) * 60_000;
        var context = new ModelContext(options.Seed, StartMs, options.Detail == SimulationDetail.Summary);

        _models = new DeviceModel[fleet.Devices.Count];
        for (var i = 0; i < fleet.Devices.Count; i++)
        {
            var device = fleet.Devices[i];
            var where = $"{fleet.SourcePath}: devices[{i}]";
            var cat = catalog.Find(device.Modality) ?? throw new SimulationConfigException($"{where}.modality '{device.Modality.ToWire()}' has no catalog");
            var model = ModelRegistry.Create(device, cat, context);
            var draw = new Random(StableHash.DeviceSeed(options.Seed, device.Id + "/faults"));
            for (var j = 0; j < device.Faults.Count; j++)
            {
                var a = device.Faults[j];
                var at = $"{fleet.SourcePath}: {a.Path}";
                var scenario = faults.Find(a.Scenario) ?? throw new SimulationConfigException($"{at}.scenario '{a.Scenario}' is not in the fault library");
                if (scenario.Modality != device.Modality)
                {
                    throw new SimulationConfigException($"{at}.scenario '{a.Scenario}' is for modality {scenario.Modality.ToWire()}, not {device.Modality.ToWire()}");
                }

                var component = a.Component ?? scenario.Component;
                if (!cat.Components.ContainsKey(component))
                {
                    throw new SimulationConfigException($"{at}.component '{component}' is not a component of modality {device.Modality.ToWire()}");
                }

                if (component != scenario.Component)
                {
                    throw new SimulationConfigException($"{at}.component '{component}' is not the component of scenario '{scenario.Id}' ('{scenario.Component}')");
                }

                if (component == "battery" && !device.Mobile)
                {
                    throw new SimulationConfigException($"{at}.scenario '{scenario.Id}' needs a mobile unit; devices[{i}].mobile is false");
                }

                var (min, max) = scenario.DurationDays;
                var duration = a.DurationDays ?? min + (max - min) * draw.NextDouble();
                var fault = new FaultInstance
                {
                    Id = $"{device.Id}-f{j + 1}",
                    DeviceId = device.Id,
                    Scenario = scenario,
                    Component = component,
                    OnsetMs = StartMs + (long)(a.OnsetDays * 86_400_000),
                    DurationDays = duration,
                    Repair = a.Repair,
                };
                model.AddFault(fault);
                _faults.Add(fault);
            }

            _models[i] = model;
        }

        Devices = fleet.Devices;
    }

    /// <summary>The device models, for tests that read true (noise-free) states.</summary>
    internal IReadOnlyList<DeviceModel> Models => _models;

    public FleetDefinition Fleet { get; }
    public SimulationOptions Options { get; }
    public IReadOnlyList<DeviceSpec> Devices { get; }
    public long StartMs { get; }
    public long EndMs { get; }
    public DateTimeOffset Start => DateTimeOffset.FromUnixTimeMilliseconds(StartMs);
    public DateTimeOffset End => DateTimeOffset.FromUnixTimeMilliseconds(EndMs);

    /// <summary>The injected faults and how far they got; final once <see cref="Run"/> has been enumerated.</summary>
    public IReadOnlyList<FaultInstance> Faults => _faults;

    /// <summary>
    /// The record stream: for each tick of <see cref="TickMs"/>, one step per device in fleet order. The lists in
    /// a step are reused for the device's next tick (see <see cref="SimulationStep"/>): copy what you keep.
    /// Can be enumerated once.
    /// </summary>
    public IEnumerable<SimulationStep> Run()
    {
        if (_started)
        {
            throw new InvalidOperationException("a FleetSimulator runs once; create a new one for another run");
        }

        _started = true;
        return RunCore();
    }

    private IEnumerable<SimulationStep> RunCore()
    {
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Options.Parallelism) };
        for (var from = StartMs; from < EndMs; from += TickMs)
        {
            var to = Math.Min(from + TickMs, EndMs);
            if (parallel.MaxDegreeOfParallelism > 1 && _models.Length > 1)
            {
                try
                {
                    Parallel.For(0, _models.Length, parallel, i => _models[i].Advance(from, to));
                }
                catch (AggregateException ex) when (ex.InnerExceptions.Count > 0)
                {
                    ExceptionDispatchInfo.Capture(ex.InnerExceptions[0]).Throw();
                }
            }
            else
            {
                foreach (var m in _models)
                {
                    m.Advance(from, to);
                }
            }

            foreach (var m in _models)
            {
                yield return new SimulationStep(m.Spec, from, to, m.Records, m.Maintenance);
            }
        }
    }

    /// <summary>Ground truth of the run so far; complete after <see cref="Run"/> has been enumerated.</summary>
    public GroundTruth GroundTruth
    {
        get
        {
            var devices = Devices.Select(d => new GroundTruthDevice(d.Id, d.Site, d.Modality.ToWire(), d.Vendor, d.Model)).ToList();
            var faults = _faults
                .Where(f => f.OnsetMs < EndMs)
                .Select(f => new GroundTruthFault(
                    f.Id,
                    f.DeviceId,
                    f.Component,
                    f.Scenario.Id,
                    f.Scenario.Kind == FaultKind.Sensor ? "sensor" : "machine",
                    Rfc(f.OnsetMs),
                    f.Scenario.Kind == FaultKind.Sensor || f.FailureMs is null ? null : Rfc(f.FailureMs.Value),
                    f.RepairMs is { } r ? Rfc(r) : f.EndMs is { } e ? Rfc(e) : null,
                    f.Scenario.Sensor is { } s ? [s.Signal] : f.Scenario.Signals))
                .ToList();
            var maintenance = _models
                .SelectMany(m => m.MaintenanceLog.Select(r => (m.Spec.Id, r)))
                .OrderBy(x => x.r.TimestampMs)
                .ThenBy(x => x.Id, StringComparer.Ordinal)
                .Select(x => new GroundTruthMaintenance(x.Id, Rfc(x.r.TimestampMs), x.r.Component, x.r.Action.ToWire(), x.r.Text))
                .ToList();
            return new GroundTruth(Fleet.Name, Options.Seed, Rfc(StartMs), Rfc(EndMs), devices, faults, maintenance);
        }
    }

    private static string Rfc(long ms) => WireCodec.FormatRfc3339(ms);
}
