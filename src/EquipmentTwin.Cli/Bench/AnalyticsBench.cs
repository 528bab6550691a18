using System.Diagnostics;
using System.Text.Json;
using EquipmentTwin.Analytics.Anomaly;
using EquipmentTwin.Analytics.Engines;
using EquipmentTwin.Analytics.Knowledge;
using EquipmentTwin.Analytics.Physics;
using EquipmentTwin.Analytics.Pipeline;
using EquipmentTwin.Cli.Commands;
using EquipmentTwin.Cli.Fleets;
using EquipmentTwin.Cli.Progress;
using EquipmentTwin.Core.Catalog;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Evaluation;
using EquipmentTwin.Simulator.Faults;
using EquipmentTwin.Simulator.Fleets;
using EquipmentTwin.Simulator.Simulation;

namespace EquipmentTwin.Cli.Bench;

/// <summary>Options of <c>twin bench analytics</c>.</summary>
public sealed record AnalyticsBenchOptions(
    string FleetPath,
    Modality Modality,
    int Devices,
    double Days,
    int Seed,
    string? ModelsDirectory,
    double TrainingDays,
    string RulesDirectory,
    string PhysicsDirectory,
    bool Json);

/// <summary>
/// <c>twin bench analytics</c>: a fleet restricted to <c>Devices</c> devices of one modality, simulated for
/// <c>Days</c> days at full detail and at 5-minute detail (summary) and fed through the analytics pipeline the
/// service and the backtest run (rules, physics, anomaly, fusion). The baseline in the same run: the simulator
/// alone producing the same records, so the ratio says what analytics costs on top of producing the records.
/// </summary>
public static class AnalyticsBench
{
    private const double DaysPerYear = 365;

    public static int Run(AnalyticsBenchOptions o, TextWriter output, TextWriter error)
    {
        using var progress = ReferenceEquals(error, Console.Error) ? ConsoleProgress.Start("twin bench analytics") : ConsoleProgress.Start("twin bench analytics", error);
        var (full, faults, catalog) = FleetFiles.Load(o.FleetPath, null, null);
        var chosen = full.Devices.Where(d => d.Modality == o.Modality).Take(o.Devices).ToList();
        if (chosen.Count < o.Devices)
        {
            throw new CommandLineException($"--devices {o.Devices}: {full.SourcePath} has only {chosen.Count} {o.Modality.ToWire()} devices");
        }

        var fleet = full with { Devices = chosen };

        var training = Stopwatch.StartNew();
        AnomalyModelSet models;
        string modelsSource;
        if (o.ModelsDirectory is { } dir)
        {
            progress.Step($"loading anomaly models from {dir}");
            models = AnomalyModelSet.LoadLatest(dir);
            modelsSource = $"loaded from {dir}";
        }
        else
        {
            models = AnomalyTraining.TrainOnHealthyFleet(fleet, faults, catalog, o.Seed, o.TrainingDays, progress: progress);
            modelsSource = $"trained on {o.TrainingDays:0.#} healthy days (seed {o.Seed + AnomalyTraining.SeedOffset})";
        }

        training.Stop();
        var rules = RuleEngine.Load(o.RulesDirectory, catalog);
        var physics = PhysicsConfigLoader.LoadDirectory(o.PhysicsDirectory, catalog);

        var runs = new List<DetailRun>();
        foreach (var detail in new[] { SimulationDetail.Full, SimulationDetail.Summary })
        {
            var name = detail == SimulationDetail.Full ? "full" : "summary";

            // Baseline first: the simulator alone, producing (and counting) the same records.
            var sim = Simulator(fleet, faults, catalog, o, detail);
            var sw = Stopwatch.StartNew();
            long simulated = 0;
            foreach (var step in sim.RunTracked(progress, $"{name} detail: simulator alone (baseline)"))
            {
                simulated += step.Records.Count;
            }

            var simulatorSeconds = sw.Elapsed.TotalSeconds;

            var pipeline = new AnalyticsPipeline([rules, new PhysicsEngine(physics), new AnomalyEngine(models)], catalog);
            sim = Simulator(fleet, faults, catalog, o, detail);
            sw.Restart();
            var records = SimulationFeed.Into(pipeline, sim.RunTracked(progress, $"{name} detail: simulator and every engine"));
            pipeline.AdvanceAllTo(sim.EndMs);
            var pipelineSeconds = sw.Elapsed.TotalSeconds;
            if (records != simulated)
            {
                throw new FailureException($"analytics bench: the pipeline run saw {records:N0} records, the simulator alone {simulated:N0}");
            }

            runs.Add(new DetailRun(name, records, pipelineSeconds, simulatorSeconds, fleet.Devices.Count * o.Days / DaysPerYear, pipeline.Alerts.All.Count));
        }

        if (o.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(new
            {
                bench = "analytics",
                fleet = full.Name,
                modality = o.Modality.ToWire(),
                devices = fleet.Devices.Count,
                days = o.Days,
                deviceYears = fleet.Devices.Count * o.Days / DaysPerYear,
                anomalyModels = modelsSource,
                trainingSeconds = training.Elapsed.TotalSeconds,
                engines = new[] { "rules", "physics", "anomaly", "fusion" },
                runs = runs.ToDictionary(r => r.Detail, r => new
                {
                    records = r.Records,
                    seconds = r.PipelineSeconds,
                    recordsPerSecond = r.RecordsPerSecond,
                    deviceYearsPerMinute = r.DeviceYearsPerMinute,
                    secondsPerDeviceYear = r.SecondsPerDeviceYear,
                    alerts = r.Alerts,
                    baselineSimulatorAlone = new { seconds = r.SimulatorSeconds, recordsPerSecond = r.SimulatorRecordsPerSecond, deviceYearsPerMinute = r.SimulatorDeviceYearsPerMinute },
                    ratioToSimulatorAlone = r.PipelineSeconds / r.SimulatorSeconds,
                }),
                machine = "shared",
                host = BenchSupport.Host(),
            }));
        }
        else
        {
            output.WriteLine($"analytics bench: {fleet.Devices.Count} {o.Modality.ToWire()} device(s) of {full.Name} for {o.Days:0.#} days through rules, physics, anomaly and fusion (machine shared: compare with the simulator alone in the same run)");
            output.WriteLine($"anomaly models {modelsSource} ({training.Elapsed.TotalSeconds:0.0} s)");
            foreach (var r in runs)
            {
                output.WriteLine($"{r.Detail} detail: {r.Records:N0} records in {r.PipelineSeconds:0.00} s = {r.RecordsPerSecond:N0} records/s, {r.DeviceYearsPerMinute:0.00} device-years/min, {r.SecondsPerDeviceYear:0.0} s per device-year; {r.Alerts} alerts");
                output.WriteLine($"  simulator alone (baseline): {r.SimulatorSeconds:0.00} s = {r.SimulatorRecordsPerSecond:N0} records/s, {r.SimulatorDeviceYearsPerMinute:0.00} device-years/min; pipeline/simulator time {r.PipelineSeconds / r.SimulatorSeconds:0.00}x");
            }
        }

        return 0;
    }

    private static FleetSimulator Simulator(FleetDefinition fleet, FaultLibrary faults, SignalCatalog catalog, AnalyticsBenchOptions o, SimulationDetail detail) =>
        new(fleet, faults, catalog, new SimulationOptions { Seed = o.Seed, Days = o.Days, Detail = detail });

    private sealed record DetailRun(string Detail, long Records, double PipelineSeconds, double SimulatorSeconds, double DeviceYears, int Alerts)
    {
        public double RecordsPerSecond => Records / Math.Max(PipelineSeconds, 1e-9);
        public double DeviceYearsPerMinute => DeviceYears / Math.Max(PipelineSeconds, 1e-9) * 60;
        public double SecondsPerDeviceYear => PipelineSeconds / DeviceYears;
        public double SimulatorRecordsPerSecond => Records / Math.Max(SimulatorSeconds, 1e-9);
        public double SimulatorDeviceYearsPerMinute => DeviceYears / Math.Max(SimulatorSeconds, 1e-9) * 60;
    }
}
