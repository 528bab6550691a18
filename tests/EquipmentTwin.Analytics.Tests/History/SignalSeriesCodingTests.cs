using EquipmentTwin.Analytics.History;

namespace EquipmentTwin.Analytics.Tests.History;

/// <summary>The coded ring gives back every field bit for bit, and agrees with the full ring it replaced on whatever is read.</summary>
public class SignalSeriesCodingTests
{
    private const long Hour = 3_600_000;
    private const long Everything = long.MinValue / 2;
    private static readonly long T0 = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    /// <summary>An hour of <paramref name="count"/> readings on a grid of <paramref name="decimals"/> decimals, aggregated as the device history does (running sum, then divided).</summary>
    private static SeriesPoint Aggregate(long step, Random random, int count, int decimals, double level, double spread)
    {
        double sum = 0, min = double.MaxValue, max = double.MinValue, last = 0;
        for (var i = 0; i < count; i++)
        {
            var v = Math.Round(level + (spread * (random.NextDouble() - 0.5)), decimals);
            sum += v;
            min = Math.Min(min, v);
            max = Math.Max(max, v);
            last = v;
        }

        return new SeriesPoint(T0 + (step * Hour), sum / count, min, max, last, count);
    }

    /// <summary>Values the grid coding cannot take: they must come back raw, unchanged.</summary>
    private static readonly double[] Awkward =
    [
        double.NaN, double.PositiveInfinity, double.NegativeInfinity, -0.0, 0.0, double.Epsilon, 1e300, -1e300,
        Math.PI, 1.0 / 3, 0.1 + 0.2, 123456789.1234567, -5e-7, 9.007199254740993e15, double.MaxValue, double.MinValue,
    ];

    private static SeriesPoint RandomPoint(long step, Random random) => random.Next(6) switch
    {
        0 => Aggregate(step, random, 1, random.Next(0, 4), random.Next(-50, 500), 20),
        1 => Aggregate(step, random, random.Next(2, 61), random.Next(0, 4), random.Next(-50, 500), random.Next(0, 50)),
        2 => Aggregate(step, random, random.Next(2, 13), 1, 1_000_000 + step * 60, 0), // a counter: every reading the same in the hour
        3 => new SeriesPoint(T0 + (step * Hour), random.NextDouble() * 1e6, -random.NextDouble(), random.NextDouble(), random.NextDouble() - 0.5, random.Next(-3, 100)),
        4 => new SeriesPoint(T0 + (step * Hour), Pick(random), Pick(random), Pick(random), Pick(random), random.Next(0, 5)),
        _ => Aggregate(step, random, random.Next(1, 4), 6, random.NextDouble() * 10, 1),
    };

    private static double Pick(Random random) => random.Next(3) == 0 ? random.NextDouble() * 100 : Awkward[random.Next(Awkward.Length)];

    [Fact]
    public void Every_field_comes_back_bit_for_bit()
    {
        var random = new Random(11);
        var series = new SignalSeries(Hour, 1_440);
        var expected = new List<SeriesPoint>();
        for (var s = 0; s < 1_440; s++)
        {
            var p = RandomPoint(s, random);
            series.Add(p);
            expected.Add(p);
        }

        var back = series.Since(Everything);
        Assert.Equal(expected.Count, back.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            AssertSame(expected[i], back[i]);
        }
    }

    [Fact]
    public void Readings_on_a_decimal_grid_take_a_few_bytes_a_point()
    {
        // What the memory bench fills: one reading of three decimals an hour, then every 5 minutes (12 an hour).
        var random = new Random(3);
        var series = new SignalSeries(Hour, 1_440);
        for (var s = 0; s < 1_440; s++)
        {
            series.Add(Aggregate(s, random, s < 1_392 ? 1 : 12, 3, 250, 100));
        }

        Assert.Equal(1_440, series.Count);
        Assert.InRange(series.StoredBytes / (double)series.Count, 1, 6); // 40 bytes a slot in the full ring
    }

    [Theory]
    [InlineData(2, 1)]
    [InlineData(24, 2)]
    [InlineData(29, 3)]
    [InlineData(97, 4)]
    [InlineData(1_440, 5)]
    public void Agrees_with_the_full_ring_on_random_data_with_gaps_late_points_jumps_and_clearing(int capacity, int seed)
    {
        var random = new Random(seed);
        var coded = new SignalSeries(Hour, capacity);
        var full = new FullRingSeries(Hour, capacity);
        long step = 0;
        var clearedPastNewest = false;
        for (var i = 0; i < 6_000; i++)
        {
            var roll = random.Next(1_000);
            long s;
            if (roll < 700)
            {
                s = ++step; // in order
            }
            else if (roll < 800)
            {
                s = step += random.Next(2, 30); // a gap
            }
            else if (roll < 950)
            {
                s = step - random.Next(0, capacity + 3); // late: inside the window or just outside it
            }
            else if (roll < 955)
            {
                s = step += capacity + random.Next(0, 3 * capacity); // a jump past the window
            }
            else if (roll < 965)
            {
                var cut = T0 + ((step - random.Next(-2, capacity + 2)) * Hour) + random.Next(-1, 2);
                coded.ClearBefore(cut); // after a repair
                full.ClearBefore(cut);
                clearedPastNewest = cut > T0 + (step * Hour);
                Compare(coded, full, random, step, clearedPastNewest);
                continue;
            }
            else
            {
                s = step - random.Next(0, 3); // the same interval again
            }

            var p = RandomPoint(s, random) with { StartMs = T0 + (s * Hour) + random.Next(0, (int)Hour) };
            coded.Add(p);
            full.Add(p);
            clearedPastNewest &= s <= step - capacity;
            Compare(coded, full, random, step, clearedPastNewest);
        }
    }

    [Fact]
    public void Reads_from_every_point_of_the_window_find_the_same_points()
    {
        var random = new Random(8);
        var coded = new SignalSeries(Hour, 300);
        var full = new FullRingSeries(Hour, 300);
        for (var s = 0; s < 1_000; s++)
        {
            var p = RandomPoint(s, random);
            coded.Add(p);
            full.Add(p);
        }

        var into = new List<SeriesPoint>();
        for (var from = T0 + (650 * Hour) - 1; from <= T0 + (1_001 * Hour); from += Hour / 2)
        {
            into.Clear();
            coded.CopySince(from, into);
            AssertSameList(full.Since(from), into);
        }
    }

    [Fact]
    public void A_jump_of_billions_of_steps_keeps_the_window_and_the_points_after_it()
    {
        var series = new SignalSeries(60_000, 50);
        for (var s = 0; s < 120; s++)
        {
            series.Add(new SeriesPoint(s * 60_000L, s, s, s, s, 1));
        }

        var far = 5_000_000_000L; // more steps than 32 bits count from the first one
        var expected = new List<SeriesPoint>();
        for (var s = far; s < far + 130; s++)
        {
            series.Add(new SeriesPoint(s * 60_000L, 0.5, 0.25, 0.75, 0.5, 2));
        }

        series.Add(new SeriesPoint((far + 100) * 60_000L, 7, 7, 7, 7, 1)); // late, inside the window
        for (var s = far + 80; s < far + 130; s++)
        {
            expected.Add(s == far + 100 ? new SeriesPoint(s * 60_000L, 7, 7, 7, 7, 1) : new SeriesPoint(s * 60_000L, 0.5, 0.25, 0.75, 0.5, 2));
        }

        Assert.Equal(expected, series.Since(0));
    }

    private static void Compare(SignalSeries coded, FullRingSeries full, Random random, long step, bool clearedPastNewest)
    {
        AssertSameList(full.Since(Everything), coded.Since(Everything));
        var from = T0 + ((step - random.Next(0, 40)) * Hour) + random.Next(-1, 2);
        AssertSameList(full.Since(from), coded.Since(from));
        if (!clearedPastNewest)
        {
            // The full ring kept answering with a cleared newest slot; the coded one answers with what it still holds.
            Assert.Equal(full.TryGetLatest(out var expected), coded.TryGetLatest(out var actual));
            AssertSame(expected, actual);
        }
    }

    private static void AssertSameList(List<SeriesPoint> expected, List<SeriesPoint> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            AssertSame(expected[i], actual[i]);
        }
    }

    private static void AssertSame(SeriesPoint expected, SeriesPoint actual)
    {
        Assert.Equal(expected.StartMs, actual.StartMs);
        Assert.Equal(expected.Count, actual.Count);
        Assert.Equal(Bits(expected.Mean), Bits(actual.Mean));
        Assert.Equal(Bits(expected.Min), Bits(actual.Min));
        Assert.Equal(Bits(expected.Max), Bits(actual.Max));
        Assert.Equal(Bits(expected.Last), Bits(actual.Last));
    }

    private static long Bits(double v) => BitConverter.DoubleToInt64Bits(v);
}
