using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Simulator.Simulation;
using static EquipmentTwin.Simulator.Tests.TestFleets;

namespace EquipmentTwin.Simulator.Tests;

/// <summary>Usage that changes during a run: night scanning from a given day, a ramp-up share of the day exams.</summary>
public class UsageChangeTests
{
    private static Dictionary<long, (int Night, int Day)> ExamsPerDay(Fleets.DeviceSpec device, double days)
    {
        var starts = Collect(Sim(Fleet(device), days, detail: SimulationDetail.Summary))
            .Where(x => x.Record.Type == RecordType.Event && x.Record.Code == "CT-EXM-010").Select(x => x.Record.TimestampMs);
        return starts.GroupBy(t => t / 86_400_000).ToDictionary(
            g => g.Key - Monday.ToUnixTimeMilliseconds() / 86_400_000,
            g => (g.Count(t => t / 3_600_000 % 24 < 6), g.Count(t => t / 3_600_000 % 24 is >= 9 and < 18)));
    }

    [Fact]
    public void Night_exams_follow_the_modality_default_until_the_given_day_and_the_site_rate_after()
    {
        var perDay = ExamsPerDay(Device("ct1", Modality.Ct) with { NightExamsPerHour = 4, NightExamsFromDays = 4 }, days: 8);

        // CT default: 1 an hour at night; from day 4 on: 4 an hour (00–06 h, 6 hours each night).
        var before = Enumerable.Range(0, 4).Average(d => perDay.GetValueOrDefault(d).Night);
        var after = Enumerable.Range(4, 4).Average(d => perDay.GetValueOrDefault(d).Night);
        Assert.InRange(before, 2, 9);
        Assert.True(after > 2 * before, $"night exams {before:0.0} a night before day 4, {after:0.0} after");
    }

    [Fact]
    public void Ramp_up_share_cuts_the_day_exams_until_the_given_day()
    {
        var perDay = ExamsPerDay(Device("ct1", Modality.Ct) with { RampUpShare = 0.25, RampUpDays = 2 }, days: 4);

        // Monday to Thursday: 25 % of the ~50 weekday exams on Monday and Tuesday, all of them after.
        Assert.All(new[] { 0L, 1L }, d => Assert.InRange(perDay[d].Day, 3, 16));
        Assert.All(new[] { 2L, 3L }, d => Assert.InRange(perDay[d].Day, 20, 60));
    }
}
