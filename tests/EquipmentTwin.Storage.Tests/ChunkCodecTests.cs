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

    [Fact]
    public void Every_bit_width_of_the_packed_blocks_comes_back_exactly()
    {
        // Timestamp steps and whole-number values drawn from 1 to 60 bits, so the blocks are packed at every width
        // the fast one-load-per-value path takes (up to 56 bits) and the wider ones it leaves to the bit reader.
        for (var bits = 1; bits <= 60; bits++)
        {
            var rng = new Random(bits);
            // As many readings as fit between long.MinValue and long.MaxValue at steps of up to 2^bits.
            var n = (int)Math.Min(300, 3 * (1L << (62 - Math.Min(bits, 62))));
            var ts = new long[n];
            var vs = new double[n];
            var t = long.MinValue + 1;
            for (var i = 0; i < n; i++)
            {
                t += 1 + (rng.NextInt64() & ((1L << bits) - 1));
                ts[i] = t;
                vs[i] = bits <= 50 ? (rng.NextInt64() & ((1L << bits) - 1)) - (1L << (bits - 1)) : rng.NextDouble();
            }

            AssertExact(ts, vs);
        }
    }

    [Fact]
    public void A_chunk_decodes_the_same_alone_and_as_a_slice_of_a_larger_buffer()
    {
        var rng = new Random(4);
        var ts = Enumerable.Range(0, 256).Select(i => 1_795_982_400_000 + 1_000L * i + rng.Next(0, 50)).ToArray();
        var vs = ts.Select(_ => Math.Round(30 + rng.NextDouble() * 5, 2)).ToArray();
        var chunk = ChunkCodec.Encode(ts, vs);
        var padded = new byte[chunk.Length + 64];
        rng.NextBytes(padded);
        chunk.CopyTo(padded, 16);

        var ots = new long[256];
        var ovs = new double[256];
        Assert.Equal(256, ChunkCodec.Decode(padded.AsSpan(16, chunk.Length), ots, ovs));

        Assert.Equal(ts, ots);
        Assert.Equal(vs, ovs);
    }

    [Fact]
    public void A_truncated_chunk_is_refused_not_decoded_from_bytes_past_its_end()
    {
        var rng = new Random(9);
        var ts = Enumerable.Range(0, 300).Select(i => 1_795_982_400_000 + 1_000L * i + rng.Next(0, 50)).ToArray();
        foreach (var vs in new[] { ts.Select(_ => Math.Round(rng.NextDouble() * 100, 2)).ToArray(), ts.Select(_ => rng.NextDouble()).ToArray() })
        {
            var chunk = ChunkCodec.Encode(ts, vs);
            var ots = new long[300];
            var ovs = new double[300];
            for (var length = 1; length < chunk.Length; length++)
            {
                // The prefix sits at the start of the whole chunk's bytes, so a decoder that read past the prefix
                // would find valid data there and succeed.
                var prefix = chunk.AsMemory(0, length);
                Assert.ThrowsAny<Exception>(() => ChunkCodec.Decode(prefix.Span, ots, ovs));
            }
        }
    }
}
