using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Simulator.Devices;
using EquipmentTwin.Simulator.Faults;
using EquipmentTwin.Simulator.Fleets;
using static EquipmentTwin.Simulator.Tests.TestFleets;

namespace EquipmentTwin.Simulator.Tests;

public class PhysicsTests
{
    [Fact]
    public void Helium_falls_at_nominal_rate_with_cold_head_working()
    {
        var sim = Sim(Fleet(Device("mr1", Modality.Mri, zeroBoilOff: false)), days: 10);
        var model = sim.Models[0];
        var startLitres = model.State("he_litres");
        var nominalRate = model.State("boiloff_rate_l_per_day");
        foreach (var _ in sim.Run())
        {
        }

        Assert.InRange(nominalRate, 0.15, 0.6); // legacy 1.5T: < 0.03 L/h (domain.md §1)
        Assert.Equal(startLitres - 10 * nominalRate, model.State("he_litres"), 6);
    }

    [Fact]
    public void Helium_stays_flat_on_a_zero_boil_off_magnet_with_cold_head_working()
    {
        var sim = Sim(Fleet(Device("mr1", Modality.Mri)), days: 10);
        var start = sim.Models[0].State("he_litres");
        foreach (var _ in sim.Run())
        {
        }

        Assert.Equal(start, sim.Models[0].State("he_litres"), 9);
    }

    [Fact]
    public void Helium_falls_at_failure_rate_after_the_cooler_stops_then_saturates()
    {
        // Compressor trip at day 1: r(t) = r1 + (r∞ − r1)(1 − e^{−t/Ts}), r1 = 34 L/day/W · Q0, r∞ = 2.5 r1, Ts = 2 d (domain.md §5.1).
        var sim = Sim(Fleet(Device("mr1", Modality.Mri, [Fault("mri-compressor-trip", 1, 0.01, RepairKind.None)])), days: 9);
        var model = sim.Models[0];
        var q0 = model.State("heat_load_w");
        var litres = new List<(long Ms, double L)>();
        foreach (var step in sim.Run())
        {
            litres.Add((step.ToMs, model.State("he_litres")));
        }

        var trip = sim.Faults[0].FailureMs!.Value + 60_000; // the compressor stops at the next minute
        var r1 = MriModel.LitresPerDayPerWatt * q0;
        foreach (var days in new[] { 0.5, 2.0, 6.0 })
        {
            var t = trip + (long)(days * 86_400_000);
            var a = litres.First(x => x.Ms >= t);
            var b = litres.First(x => x.Ms >= a.Ms + 3_600_000);
            var measured = (a.L - b.L) * 24;
            var mid = (a.Ms + 1_800_000 - trip) / 86_400_000.0;
            var expected = r1 + (MriModel.ShieldWarmingMultiplier * r1 - r1) * (1 - Math.Exp(-mid / MriModel.ShieldTimeConstantDays));
            Assert.InRange(measured, expected * 0.98, expected * 1.02);
        }

        Assert.InRange(r1, 35, 50); // domain.md §1: 35–50 L/day when the cooler stops
    }

    [Fact]
    public void Cold_head_wear_raises_second_stage_before_boil_off_then_fails_above_4_6_K()
    {
        var sim = Sim(Fleet(Device("mr1", Modality.Mri, [Fault("mri-cold-head-wear", 0, 60, RepairKind.None)])), days: 70);
        var model = sim.Models[0];
        var t2Start = model.State("coldhead_stage2_k");
        double? t2WhenBoilOffStarts = null;
        foreach (var _ in sim.Run())
        {
            if (t2WhenBoilOffStarts is null && model.State("boiloff_rate_l_per_day") > 0)
            {
                t2WhenBoilOffStarts = model.State("coldhead_stage2_k");
            }
        }

        Assert.NotNull(t2WhenBoilOffStarts);
        Assert.InRange(t2WhenBoilOffStarts!.Value - t2Start, 0.1, 0.45); // 2nd stage +0.1–0.3 K at onset of boil-off (domain.md §6)
        var fault = sim.Faults[0];
        Assert.Equal(FaultState.Failed, fault.State);
        Assert.InRange(fault.Progress, 0.75, 1.0);
    }

    [Fact]
    public void Filament_current_drifts_up_linearly_with_use_until_the_filament_opens()
    {
        var sim = Sim(Fleet(Device("ct1", Modality.Ct, [Fault("ct-filament-wear", 0, 20, RepairKind.None)])), days: 40);
        var model = sim.Models[0];
        var fault = sim.Faults[0];
        var samples = new List<(double Progress, double Drift)>();
        var events = new List<(long Ms, string Code)>();
        foreach (var step in sim.Run())
        {
            if (fault.State == FaultState.Active)
            {
                samples.Add((fault.Progress, model.State("filament_drift_pct")));
            }

            events.AddRange(step.Records.Where(r => r.Type == RecordType.Event).Select(r => (r.TimestampMs, r.Code!)));
        }

        // Linear wear law: drift = 10 % · p (+ the small healthy ageing term), whatever the day's workload.
        var aging = samples[0].Drift;
        foreach (var (p, drift) in samples.Where(s => s.Progress > 0.1))
        {
            Assert.InRange(drift - aging, 10 * p - 0.1, 10 * p + 0.1);
        }

        Assert.Equal(FaultState.Failed, fault.State);
        var warn = events.First(e => e.Code == "CT-TUB-120").Ms;
        var open = events.Single(e => e.Code == "CT-TUB-121").Ms;
        Assert.True(warn < open);
        Assert.DoesNotContain(events, e => e.Code == "CT-EXM-010" && e.Ms > open); // down: no more exams
    }

    [Fact]
    public void Gantry_vibration_follows_the_exponential_bearing_law()
    {
        var sim = Sim(Fleet(Device("ct1", Modality.Ct, [Fault("ct-gantry-bearing-wear", 0, 30, RepairKind.None)])), days: 32);
        var model = sim.Models[0];
        var fault = sim.Faults[0];
        foreach (var _ in sim.Run())
        {
            if (fault.State == FaultState.Active && fault.Progress is > 0.2 and < 0.85)
            {
                var p = fault.Progress;
                var expected = 0.7 + 4.2 * (Math.Exp(3.5 * p) - 1) / (Math.Exp(3.5) - 1);
                Assert.Equal(expected, model.State("gantry_vibration_mm_s"), 2);
            }
        }

        Assert.Equal(FaultState.Failed, fault.State);
        Assert.True(model.State("gantry_vibration_mm_s") > 4.5);
    }

    [Fact]
    public void Arc_rate_rises_exponentially_with_tube_wear()
    {
        var sim = Sim(Fleet(Device("ct1", Modality.Ct, [Fault("ct-tube-arcing", 0, 40, RepairKind.None)])), days: 60);
        var fault = sim.Faults[0];
        var arcs = new List<double>();
        foreach (var step in sim.Run())
        {
            arcs.AddRange(step.Records.Where(r => r.Code == "CT-TUB-101").Select(_ => fault.Progress));
        }

        Assert.Equal(FaultState.Failed, fault.State);
        var early = arcs.Count(p => p < 0.4);
        var late = arcs.Count(p => p is >= 0.6 and < 1.0);
        Assert.True(late > 4 * Math.Max(1, early), $"early {early}, late {late}");
    }

    [Fact]
    public void Anode_heat_cools_by_newton_law_between_exams()
    {
        var records = Collect(Sim(Fleet(Device("ct1", Modality.Ct)), days: 2))
            .Where(x => x.Record.Name == "anode_heat_pct").Select(x => x.Record).ToList();
        var ratios = new List<double>();
        for (var i = 1; i < records.Count; i++)
        {
            // Idle readings come once a minute at :59; consecutive idle minutes are 60 s apart.
            if (records[i].TimestampMs - records[i - 1].TimestampMs == 60_000 && records[i - 1].Value >= 5 && records[i].TimestampMs % 60_000 == 59_000)
            {
                ratios.Add(records[i].Value / records[i - 1].Value);
            }
        }

        Assert.NotEmpty(ratios);
        Assert.Equal(Math.Exp(-60 / (CtModel.AnodeCoolingMinutes * 60)), ratios.Average(), 2);
    }

    [Fact]
    public void Battery_ageing_takes_soh_below_80_percent_and_the_unit_out_of_service()
    {
        var sim = Sim(Fleet(Device("xr1", Modality.Xray, [Fault("xray-battery-fade", 0, 60, RepairKind.None)], mobile: true)), days: 90);
        var events = Collect(sim).Where(x => x.Record.Type == RecordType.Event).Select(x => x.Record).ToList();
        var fault = sim.Faults[0];
        Assert.Equal(FaultState.Failed, fault.State);
        Assert.True(sim.Models[0].State("battery_soh_pct") < 80);
        Assert.Contains(events, e => e.Code == "XR-BAT-303");
        Assert.DoesNotContain(events, e => e.Code == "XR-EXM-010" && e.TimestampMs > fault.FailureMs);
    }

    [Fact]
    public void Healthy_devices_stay_inside_their_catalog_normal_ranges()
    {
        var fleet = Fleet(Device("mr1", Modality.Mri), Device("ct1", Modality.Ct), Device("xr1", Modality.Xray), Device("xr2", Modality.Xray, mobile: true));
        var byDevice = fleet.Devices.ToDictionary(d => d.Id);
        var counts = new Dictionary<(string, string), (int N, int Out)>();
        foreach (var (device, r) in Collect(Sim(fleet, days: 7)).Where(x => x.Record.Type == RecordType.Param))
        {
            var def = Catalog[byDevice[device].Modality].FindSignal(r.Name!)!;
            var c = counts.GetValueOrDefault((device, r.Name!));
            counts[(device, r.Name!)] = (c.N + 1, c.Out + (def.IsInNormalRange(r.Value) ? 0 : 1));
        }

        var bad = counts.Where(kv => kv.Value.Out > 0.01 * kv.Value.N).Select(kv => $"{kv.Key}: {kv.Value.Out}/{kv.Value.N}").ToList();
        Assert.True(bad.Count == 0, "outside normal range: " + string.Join("; ", bad));
    }
}
