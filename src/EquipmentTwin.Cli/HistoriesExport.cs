using EquipmentTwin.Core.Progress;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Simulator.Output;
using EquipmentTwin.Simulator.Simulation;

namespace EquipmentTwin.Cli;

/// <summary><c>twin simulate --mode histories</c>: runs the fleet and writes its machine failures as run-to-failure CSV files.</summary>
public static class HistoriesExport
{
    public static (long Records, long Events, long Maintenance) Run(FleetSimulator sim, string outDir, IJobProgress? progress = null)
    {
        var exporter = new RunToFailureExporter(sim.StartMs, sim.Devices, sim.Faults);
        long records = 0, events = 0, maintenance = 0;
        foreach (var step in sim.RunTracked(progress, $"simulating {sim.Devices.Count} devices"))
        {
            records += step.Records.Count;
            maintenance += step.Maintenance.Count;
            foreach (var r in step.Records)
            {
                events += r.Type == RecordType.Event ? 1 : 0;
            }

            exporter.Add(step);
        }

        foreach (var (file, units) in exporter.Write(outDir))
        {
            var line = $"{units,4} run-to-failure units → {Path.GetFullPath(file)}";
            if (progress is null)
            {
                Console.Error.WriteLine(line);
            }
            else
            {
                progress.Step(line);
            }
        }

        return (records, events, maintenance);
    }
}
