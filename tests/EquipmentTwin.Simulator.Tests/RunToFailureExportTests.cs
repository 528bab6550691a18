using System.Globalization;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Simulator.Fleets;
using EquipmentTwin.Simulator.Output;
using EquipmentTwin.Testing;
using static EquipmentTwin.Simulator.Tests.TestFleets;

namespace EquipmentTwin.Simulator.Tests;

public sealed class RunToFailureExportTests
{
    [Fact]
    public void Each_failure_becomes_a_unit_of_daily_rows_ending_at_the_failure()
    {
        // Two failures of one CT's gantry bearing (the second after the repair of the first) and a healthy CT.
        var sim = Sim(Fleet(
            Device("ct1", Modality.Ct, [Fault("ct-gantry-bearing-wear", 1, 6, RepairKind.Repair, 24), Fault("ct-gantry-bearing-wear", 12, 5, RepairKind.Repair, 24)]),
            Device("ct2", Modality.Ct)), days: 22, detail: EquipmentTwin.Simulator.Simulation.SimulationDetail.Summary);
        var exporter = new RunToFailureExporter(sim.StartMs, sim.Devices, sim.Faults);
        foreach (var step in sim.Run())
        {
            exporter.Add(step);
        }

        using var dir = new TempDirectory("histories");
        var written = exporter.Write(dir.Path);

        var (file, units) = Assert.Single(written);
        Assert.Equal("ct-gantry_bearing.csv", Path.GetFileName(file));
        Assert.Equal(2, units);
        var lines = File.ReadAllLines(file);
        Assert.StartsWith("unit,time,", lines[0]);
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        Assert.All(rows, r => Assert.Equal(lines[0].Split(',').Length, r.Length));
        var byUnit = rows.GroupBy(r => r[0]).ToList();
        Assert.Equal(2, byUnit.Count);
        foreach (var (unit, fault) in byUnit.Zip(sim.Faults))
        {
            var times = unit.Select(r => double.Parse(r[1], CultureInfo.InvariantCulture)).ToArray();
            Assert.True(times.Zip(times.Skip(1)).All(p => p.Second > p.First));
            Assert.Equal((fault.FailureMs!.Value - sim.StartMs) / 86_400_000.0, times[^1], 3);
        }

        // The second unit starts the day after the first repair, not at the start of the run.
        var firstRepairDay = (int)((sim.Faults[0].RepairMs!.Value - sim.StartMs) / 86_400_000);
        Assert.Equal(firstRepairDay + 2, double.Parse(byUnit[1].First()[1], CultureInfo.InvariantCulture));
    }
}
