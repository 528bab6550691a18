using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Simulator.Simulation;
using static EquipmentTwin.Simulator.Tests.TestFleets;

namespace EquipmentTwin.Simulator.Tests;

public class VolumeTests
{
    [Fact]
    public void An_mri_weekday_logs_a_realistic_number_of_lines()
    {
        // Monday 2026-01-05 (site at UTC): of the order of 100k–300k lines (issue 4).
        var perDay = Collect(Sim(Fleet(Device("mr1", Modality.Mri)), days: 7))
            .GroupBy(x => x.Record.TimestampMs / 86_400_000).Select(g => g.Count()).ToList();
        Assert.All(perDay.Take(5), n => Assert.InRange(n, 100_000, 300_000));
        Assert.All(perDay.Skip(5), n => Assert.InRange(n, 30_000, perDay[0] - 1)); // quieter weekend
    }

    [Fact]
    public void Ct_and_xray_days_follow_the_exam_schedule()
    {
        var fleet = Fleet(Device("ct1", Modality.Ct), Device("xr1", Modality.Xray));
        var records = Collect(Sim(fleet, days: 1));
        foreach (var device in new[] { "ct1", "xr1" })
        {
            var byHour = records.Where(x => x.Device == device).GroupBy(x => x.Record.TimestampMs / 3_600_000 % 24).ToDictionary(g => g.Key, g => (double)g.Count());
            var day = Enumerable.Range(9, 8).Average(h => byHour[h]);
            var night = Enumerable.Range(0, 6).Average(h => byHour[h]);
            Assert.True(day > 1.5 * night, $"{device}: busy day hours ({day:0}/h) vs quiet night ({night:0}/h)");
        }
    }

    [Fact]
    public void Summary_detail_logs_each_signal_at_most_every_five_minutes_with_the_same_events()
    {
        var fleet = Fleet(Device("mr1", Modality.Mri, [Fault("mri-chiller-degradation", 0.5, 1)]), Device("ct1", Modality.Ct));
        var full = Collect(Sim(fleet, days: 2));
        var summary = Collect(Sim(fleet, days: 2, detail: SimulationDetail.Summary));

        Assert.True(summary.Count * 10 < full.Count);
        foreach (var g in summary.Where(x => x.Record.Type == RecordType.Param).GroupBy(x => (x.Device, x.Record.Name, x.Record.TimestampMs / 300_000)))
        {
            Assert.Single(g);
        }

        var fullEvents = full.Where(x => x.Record.Type == RecordType.Event).ToList();
        var summaryEvents = summary.Where(x => x.Record.Type == RecordType.Event).ToList();
        Assert.Equal(fullEvents, summaryEvents);
    }
}
