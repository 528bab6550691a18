using EquipmentTwin.Analytics.History;

namespace EquipmentTwin.Analytics.Tests.History;

public class SignalSeriesTests
{
    private const long Step = 3_600_000;
    private static readonly long T0 = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    private static SeriesPoint Point(long step, double mean) => new(T0 + step * Step, mean, mean - 1, mean + 1, mean + 0.5, (int)step + 1);

    [Fact]
    public void Storage_grows_with_what_arrives_and_stops_at_the_capacity()
    {
        var series = new SignalSeries(Step, 100);
        series.Add(Point(0, 1));
        var one = series.StoredBytes;
        Assert.InRange(one, 1, 200);

        for (var s = 1; s < 30; s++)
        {
            series.Add(Point(s, s));
        }

        Assert.InRange(series.StoredBytes, one + 1, 30 * 200);
        for (var s = 30; s < 500; s++)
        {
            series.Add(Point(s, s));
        }

        var full = series.StoredBytes;
        for (var s = 500; s < 2_000; s++)
        {
            series.Add(Point(s, s));
        }

        Assert.InRange(series.Count, 100, 100 + SignalSeries.MaxSegmentPoints);
        Assert.InRange(series.StoredBytes, 1, full * 3 / 2);
        var kept = series.Since(0);
        Assert.Equal(Enumerable.Range(1_900, 100).Select(s => Point(s, s)), kept);
    }

    [Fact]
    public void Every_point_survives_growth_with_all_its_aggregates_and_in_order()
    {
        var series = new SignalSeries(Step, 1440);
        var expected = new List<SeriesPoint>();
        // Out of order inside the window, with gaps: growth must re-lay every stored point out.
        foreach (var s in new long[] { 5, 3, 4, 0, 9, 7, 20, 18, 40, 33, 100, 64 })
        {
            series.Add(Point(s, s * 1.5));
            expected.Add(Point(s, s * 1.5));
        }

        Assert.Equal(expected.OrderBy(p => p.StartMs), series.Since(T0));
        Assert.Equal(expected.Where(p => p.StartMs >= T0 + 20 * Step).OrderBy(p => p.StartMs), series.Since(T0 + 19 * Step + 1));
        Assert.True(series.TryGetLatest(out var latest));
        Assert.Equal(Point(100, 150), latest);
    }

    [Fact]
    public void A_jump_past_the_capacity_forgets_everything_before_it()
    {
        var series = new SignalSeries(Step, 50);
        for (var s = 0; s < 10; s++)
        {
            series.Add(Point(s, s));
        }

        series.Add(Point(200, 7));
        series.Add(Point(151, 3)); // the oldest step still inside the window
        series.Add(Point(150, 3)); // just outside it: ignored

        Assert.Equal([Point(151, 3), Point(200, 7)], series.Since(0));
    }

    [Fact]
    public void Clearing_before_a_repair_leaves_only_later_points()
    {
        var series = new SignalSeries(Step, 64);
        for (var s = 0; s < 40; s++)
        {
            series.Add(Point(s, s));
        }

        series.ClearBefore(T0 + 25 * Step);
        series.Add(Point(40, 40));

        Assert.Equal(Enumerable.Range(25, 16).Select(s => Point(s, s)), series.Since(0));
    }

    [Fact]
    public void A_full_ring_behaves_as_a_ring_of_its_capacity()
    {
        var series = new SignalSeries(Step, 24);
        var reference = new List<SeriesPoint>();
        var random = new Random(4);
        for (var i = 0; i < 2_000; i++)
        {
            var s = i + random.Next(-5, 2); // mostly forward, sometimes a little late
            var p = Point(s, random.NextDouble());
            series.Add(p);
            var newest = reference.Count == 0 ? long.MinValue : reference.Max(x => x.StartMs) / Step - T0 / Step;
            if (reference.Count > 0 && s <= newest - 24)
            {
                continue;
            }

            reference.RemoveAll(x => x.StartMs == p.StartMs);
            reference.Add(p);
            var top = reference.Max(x => x.StartMs);
            reference.RemoveAll(x => x.StartMs <= top - 24 * Step);
        }

        Assert.Equal(reference.OrderBy(p => p.StartMs), series.Since(0));
    }
}
