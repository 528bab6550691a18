using EquipmentTwin.Storage.Sqlite;

namespace EquipmentTwin.Storage.Tests;

public sealed class ChunkCodecTests
{
    private static (long[] Ts, double[] Vs) RoundTrip(long[] ts, double[] vs)
    {
        var chunk = ChunkCodec.Encode(ts, vs);
        var n = ChunkCodec.Count(chunk);
        var ots = new long[n];
        var ovs = new double[n];
        ChunkCodec.Decode(chunk, ots, ovs);
        return (ots, ovs);
    }

    private static void AssertExact(long[] ts, double[] vs)
    {
        var (ots, ovs) = RoundTrip(ts, vs);
        Assert.Equal(ts, ots);
        Assert.Equal(vs.Select(BitConverter.DoubleToInt64Bits), ovs.Select(BitConverter.DoubleToInt64Bits));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(127)]
    [InlineData(128)]
    [InlineData(129)]
    [InlineData(1024)]
    [InlineData(5000)]
    public void Decimal_readings_on_a_jittered_clock_come_back_to_the_bit(int n)
    {
        var rng = new Random(n);
        var ts = new long[n];
        var vs = new double[n];
        long t = 1_795_982_400_000;
        for (var i = 0; i < n; i++)
        {
            t += 1000 + rng.Next(-300, 3000);
            ts[i] = t;
            vs[i] = Math.Round(42 + rng.NextDouble() * 2 - 1, 2);
        }

        AssertExact(ts, vs);
    }

    [Fact]
    public void Values_without_a_short_decimal_form_use_xor_and_come_back_to_the_bit()
    {
        var rng = new Random(7);
        var ts = Enumerable.Range(0, 3000).Select(i => 1_000L * i).ToArray();
        var vs = ts.Select(_ => rng.NextDouble() * 1e3).ToArray();
        vs[5] = vs[4];
        vs[10] = -0.0;
        vs[11] = double.MaxValue;
        vs[12] = double.Epsilon;
        vs[13] = 1e300;
        AssertExact(ts, vs);
    }

    [Fact]
    public void Extreme_timestamps_and_scaled_values_round_trip()
    {
        long[] ts = [long.MinValue / 2, -5, 0, 1, long.MaxValue / 2, long.MaxValue - 1];
        double[] vs = [0, -1.5, 9e14, -9e14, 0.000001, 123456.789];
        AssertExact(ts, vs);
    }

    [Fact]
    public void A_regular_clock_with_two_decimal_noise_takes_about_a_byte_a_reading()
    {
        var rng = new Random(1);
        var ts = Enumerable.Range(0, 1024).Select(i => 1_795_982_400_000 + 60_000L * i).ToArray();
        var vs = ts.Select(_ => Math.Round(42.3 + rng.NextDouble() * 0.6 - 0.3, 2)).ToArray();

        var bytes = ChunkCodec.Encode(ts, vs).Length;

        Assert.InRange(bytes, 1, 1024 * 1.2);
        AssertExact(ts, vs);
    }
}
