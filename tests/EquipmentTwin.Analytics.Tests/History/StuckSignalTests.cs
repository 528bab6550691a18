using EquipmentTwin.Analytics.History;

namespace EquipmentTwin.Analytics.Tests.History;

public sealed class StuckSignalTests
{
    private static SeriesPoint Hour(int h, double min, double max, double mean, int count) => new(h * 3_600_000L, mean, min, max, mean, count);

    [Fact]
    public void The_newest_multi_reading_hours_holding_one_value_are_stuck_and_single_reading_hours_are_skipped()
    {
        var points = new List<SeriesPoint> { Hour(0, 1, 2, 1.5, 12), Hour(1, 4, 4, 4, 12), Hour(2, 4, 4, 4, 1), Hour(3, 4, 4, 4, 12), Hour(4, 4, 4, 4, 12) };
        Assert.True(StuckSignal.NewestHoursStuck(points, 3));
        Assert.False(StuckSignal.NewestHoursStuck(points, 4)); // the fourth multi-reading hour back moved
    }

    [Fact]
    public void A_moving_hour_a_different_flat_value_or_too_few_hours_is_not_stuck()
    {
        Assert.False(StuckSignal.NewestHoursStuck([Hour(0, 4, 4, 4, 12), Hour(1, 4, 4.1, 4.05, 12), Hour(2, 4, 4, 4, 12)], 2));
        Assert.False(StuckSignal.NewestHoursStuck([Hour(0, 4, 4, 4, 12), Hour(1, 5, 5, 5, 12)], 2));
        Assert.False(StuckSignal.NewestHoursStuck([Hour(0, 4, 4, 4, 12), Hour(1, 4, 4, 4, 1)], 2));
        Assert.False(StuckSignal.NewestHoursStuck([], 1));
    }
}
