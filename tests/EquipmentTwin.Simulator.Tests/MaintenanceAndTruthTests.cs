using System.Text.Json;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Simulator.Fleets;
using EquipmentTwin.Simulator.Simulation;
using static EquipmentTwin.Simulator.Tests.TestFleets;

namespace EquipmentTwin.Simulator.Tests;

public class MaintenanceAndTruthTests
{
    [Fact]
    public void Repair_resets_the_component_and_emits_a_maintenance_record()
    {
        var sim = Sim(Fleet(Device("ct1", Modality.Ct, [Fault("ct-gantry-bearing-wear", 0, 10, RepairKind.Repair, 24)])), days: 14);
        var maintenance = new List<MaintenanceRecord>();
        foreach (var step in sim.Run())
        {
            maintenance.AddRange(step.Maintenance);
        }

        var fault = sim.Faults[0];
        Assert.NotNull(fault.FailureMs);
        Assert.Equal(fault.FailureMs + 24 * 3_600_000, fault.RepairMs);
        var record = Assert.Single(maintenance);
        Assert.Equal("gantry_bearing", record.Component);
        Assert.Equal(MaintenanceAction.Replace, record.Action);
        Assert.Contains("bearing", record.Text);
        Assert.True(sim.Models[0].State("gantry_vibration_mm_s") < 1.0);
        Assert.False(sim.Models[0].IsDown);
    }

    [Fact]
    public void An_unrepaired_failure_takes_the_device_down()
    {
        var sim = Sim(Fleet(Device("ct1", Modality.Ct, [Fault("ct-detector-cooling-failure", 0, 2, RepairKind.None)])), days: 6);
        var records = Collect(sim);
        var failure = sim.Faults[0].FailureMs!.Value;
        Assert.Contains(records, x => x.Record.Code == "CT-DET-502");
        Assert.DoesNotContain(records, x => x.Record.TimestampMs > failure + 60_000 && x.Record.Code is "CT-EXM-010" or "CT-SCN-020");
        Assert.True(sim.Models[0].IsDown);
        Assert.Null(sim.GroundTruth.Faults[0].Repair);
    }

    [Fact]
    public void Scheduled_service_emits_service_records_and_tops_off_helium()
    {
        var sim = Sim(Fleet(Device("mr1", Modality.Mri, zeroBoilOff: false, serviceIntervalDays: 20)), days: 45);
        var maintenance = new List<MaintenanceRecord>();
        foreach (var step in sim.Run())
        {
            maintenance.AddRange(step.Maintenance);
        }

        var service = maintenance.Where(m => m.Component == "compressor").ToList();
        Assert.Equal(2, service.Count);
        Assert.All(service, m => Assert.Equal(MaintenanceAction.Service, m.Action));
        Assert.All(service, m => Assert.NotNull(m.Engineer));
    }

    [Fact]
    public void Ground_truth_lists_every_fault_with_onset_failure_and_repair()
    {
        var fleet = Fleet(
            Device("mr1", Modality.Mri, [Fault("mri-chiller-degradation", 0.5, 1), Fault("sensor-mri-he-level-stuck", 1, 1)]),
            Device("xr1", Modality.Xray, [Fault("xray-filament-wear", 1, 300)]));
        var sim = Sim(fleet, days: 5);
        foreach (var _ in sim.Run())
        {
        }

        var json = GroundTruthWriter.ToJson(sim.GroundTruth);
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        Assert.Equal("test", root.GetProperty("fleet").GetString());
        Assert.Equal(1, root.GetProperty("seed").GetInt32());
        Assert.Equal("2026-01-05T00:00:00.000Z", root.GetProperty("start").GetString());
        Assert.Equal(2, root.GetProperty("devices").GetArrayLength());
        var faults = root.GetProperty("faults").EnumerateArray().ToList();
        Assert.Equal(3, faults.Count);

        var chiller = faults[0];
        Assert.Equal("mr1", chiller.GetProperty("device").GetString());
        Assert.Equal("water_loop", chiller.GetProperty("component").GetString());
        Assert.Equal("machine", chiller.GetProperty("kind").GetString());
        Assert.Equal("2026-01-05T12:00:00.000Z", chiller.GetProperty("onset").GetString());
        Assert.Equal(JsonValueKind.String, chiller.GetProperty("failure").ValueKind);
        Assert.Equal(JsonValueKind.String, chiller.GetProperty("repair").ValueKind);
        Assert.Contains("chilled_water_supply_c", chiller.GetProperty("signals").EnumerateArray().Select(s => s.GetString()));

        var sensor = faults[1];
        Assert.Equal("sensor", sensor.GetProperty("kind").GetString());
        Assert.Equal(JsonValueKind.Null, sensor.GetProperty("failure").ValueKind);
        Assert.Equal(["he_level_pct"], sensor.GetProperty("signals").EnumerateArray().Select(s => s.GetString()!).ToArray());

        var notYet = faults[2];
        Assert.Equal(JsonValueKind.Null, notYet.GetProperty("failure").ValueKind);
        Assert.Equal(JsonValueKind.Null, notYet.GetProperty("repair").ValueKind);

        Assert.Contains(root.GetProperty("maintenance").EnumerateArray(), m => m.GetProperty("component").GetString() == "water_loop" && m.GetProperty("action").GetString() == "repair");
    }

    [Fact]
    public void Sensor_fault_changes_only_the_reported_values_of_its_signal()
    {
        var healthy = Collect(Sim(Fleet(Device("mr1", Modality.Mri)), days: 3));
        foreach (var scenario in new[] { "sensor-mri-he-level-stuck", "sensor-mri-magnet-pressure-spikes", "sensor-mri-water-flow-dropout" })
        {
            var sim = Sim(Fleet(Device("mr1", Modality.Mri, [Fault(scenario, 0.5, 1.5)])), days: 3);
            var faulty = Collect(sim);
            var signal = sim.Faults[0].Scenario.Sensor!.Signal;
            Assert.Equal(healthy.Where(x => x.Record.Name != signal), faulty.Where(x => x.Record.Name != signal));
            Assert.NotEqual(healthy.Where(x => x.Record.Name == signal), faulty.Where(x => x.Record.Name == signal));
            Assert.DoesNotContain(faulty, x => x.Record.Type == RecordType.Event && x.Record.Severity != Severity.Info && !healthy.Contains(x));
        }
    }
}
