using System.Buffers;
using System.Text;
using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Core.Tests.WireFormat;

/// <summary>Random, truncated and mutated input never escapes the decoder as an exception.</summary>
public class WireCodecFuzzTests
{
    private static readonly DateTimeOffset Received = new(2026, 11, 24, 3, 0, 0, TimeSpan.Zero);

    private static byte[] ValidBatch(Random rng)
    {
        var t0 = Received.AddHours(-1).ToUnixTimeMilliseconds();
        var records = Enumerable.Range(0, rng.Next(0, 20)).Select(i => rng.Next(3) == 0
            ? LogRecord.Event(t0 + i * 1000, "MR-SYS-00" + rng.Next(10), (Severity)rng.Next(4), rng.Next(2) == 0 ? null : "text " + i)
            : LogRecord.Param(t0 + i * 1000, "sig_" + rng.Next(5), Math.Round(rng.NextDouble() * 100, 3))).ToArray();
        return WireCodec.EncodeLogs(new LogBatch("fuzz-src", rng.Next(1000), records), epochMillis: rng.Next(2) == 0);
    }

    private static void DecodeAll(byte[] bytes, int segmentSize)
    {
        var sequence = segmentSize <= 0 ? new ReadOnlySequence<byte>(bytes) : Segments.Split(bytes, segmentSize);
        _ = WireCodec.DecodeLogs(sequence, WireLimits.Default, Received);
        _ = WireCodec.DecodeNameplate(sequence, WireLimits.Default);
        _ = WireCodec.DecodeStatus(sequence, WireLimits.Default);
        _ = WireCodec.DecodeMaintenance(sequence, WireLimits.Default);
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        var rng = new Random(12345);
        for (var i = 0; i < 5000; i++)
        {
            var bytes = new byte[rng.Next(0, 300)];
            rng.NextBytes(bytes);
            DecodeAll(bytes, rng.Next(0, 16));
        }
    }

    [Fact]
    public void Every_truncation_of_a_valid_batch_is_refused_without_throwing()
    {
        var rng = new Random(7);
        for (var n = 0; n < 20; n++)
        {
            var bytes = ValidBatch(rng);
            for (var cut = 0; cut < bytes.Length; cut++)
            {
                var truncated = bytes.AsSpan(0, cut).ToArray();
                var result = WireCodec.DecodeLogs(new ReadOnlySequence<byte>(truncated), WireLimits.Default, Received);
                Assert.False(result.IsValid, $"truncated at {cut} of {bytes.Length} decoded as valid: {Encoding.UTF8.GetString(truncated)}");
            }
        }
    }

    [Fact]
    public void Mutated_valid_batches_never_throw_and_valid_ones_stay_valid()
    {
        var rng = new Random(99);
        var alphabet = Encoding.UTF8.GetBytes("{}[]\",:0123456789.-eE tfnul\\xZT");
        var validCount = 0;
        for (var i = 0; i < 5000; i++)
        {
            var bytes = ValidBatch(rng);
            Assert.True(WireCodec.DecodeLogs(new ReadOnlySequence<byte>(bytes), WireLimits.Default, Received).IsValid);
            for (var m = rng.Next(1, 4); m > 0 && bytes.Length > 0; m--)
            {
                bytes[rng.Next(bytes.Length)] = rng.Next(4) == 0 ? (byte)rng.Next(256) : alphabet[rng.Next(alphabet.Length)];
            }

            DecodeAll(bytes, rng.Next(0, 32));
            validCount += WireCodec.DecodeLogs(new ReadOnlySequence<byte>(bytes), WireLimits.Default, Received).IsValid ? 1 : 0;
        }

        // Some mutations land in values and stay valid; most break the document. Both paths must be exercised.
        Assert.InRange(validCount, 1, 4999);
    }

    [Fact]
    public void Deeply_nested_input_is_refused_not_a_stack_overflow()
    {
        var deep = new string('[', 100_000) + new string(']', 100_000);
        var result = WireCodec.DecodeLogs(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(deep)), WireLimits.Default, Received);

        Assert.False(result.IsValid);
    }
}
