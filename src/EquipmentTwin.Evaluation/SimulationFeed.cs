using EquipmentTwin.Analytics.Pipeline;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Simulator.Simulation;

namespace EquipmentTwin.Evaluation;

/// <summary>Feeds simulated steps into an analytics pipeline exactly as the service would: records and maintenance in event-time order.</summary>
public static class SimulationFeed
{
    /// <summary>Feeds every step; returns how many records went through.</summary>
    public static long Run(IEnumerable<SimulationStep> steps, Action<SimulationStep, IReadOnlyList<LogRecord>> records, Action<SimulationStep, MaintenanceRecord> maintenance)
    {
        long count = 0;
        var chunk = new List<LogRecord>(8192);
        foreach (var step in steps)
        {
            count += step.Records.Count;
            if (step.Maintenance.Count == 0)
            {
                records(step, step.Records);
                continue;
            }

            // Split the step's records around each maintenance record so engines see them in order.
            var m = 0;
            chunk.Clear();
            foreach (var r in step.Records)
            {
                while (m < step.Maintenance.Count && step.Maintenance[m].TimestampMs <= r.TimestampMs)
                {
                    Flush(step);
                    maintenance(step, step.Maintenance[m++]);
                }

                chunk.Add(r);
            }

            Flush(step);
            for (; m < step.Maintenance.Count; m++)
            {
                maintenance(step, step.Maintenance[m]);
            }
        }

        return count;

        void Flush(SimulationStep step)
        {
            if (chunk.Count > 0)
            {
                records(step, chunk.ToArray());
                chunk.Clear();
            }
        }
    }

    public static long Into(AnalyticsPipeline pipeline, IEnumerable<SimulationStep> steps) =>
        Run(steps,
            (s, r) => pipeline.Process(s.Device.Id, s.Device.Site, s.Device.Modality, r),
            (s, m) => pipeline.ProcessMaintenance(s.Device.Id, s.Device.Site, s.Device.Modality, m));
}
