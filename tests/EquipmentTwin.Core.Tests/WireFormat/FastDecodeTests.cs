using System.Buffers;
using System.Text;
using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Core.Tests.WireFormat;

/// <summary>The decoder's allocation-free paths (canonical UTC timestamps, pooled signal names) answer exactly as the general ones.</summary>
public class FastDecodeTests
{
    [Theory]
    [InlineData("2026-11-24T02:00:00Z")]
    [InlineData("2026-11-24T02:00:00.1Z")]
    [InlineData("2026-11-24T02:00:00.123Z")]
    [InlineData("2026-11-24T02:00:00.1234567Z")]
    [InlineData("2026-11-24T23:59:59.9999999Z")]
    [InlineData("2024-02-29T12:00:00.000Z")]
    [InlineData("2000-01-01T00:00:00.000Z")]
    [InlineData("9999-12-31T23:59:59.999Z")]
    [InlineData("0001-01-01T00:00:00.000Z")]
    public void Canonical_timestamps_read_as_the_general_parser_reads_them(string text)
    {
        Assert.True(WireCodec.TryParseRfc3339(text, out var expected));
        Assert.True(WireCodec.TryParseCanonicalUtc(Encoding.UTF8.GetBytes(text), out var ms));
        Assert.Equal(expected.ToUnixTimeMilliseconds(), ms);
    }

    [Theory]
    [InlineData("2025-02-29T12:00:00.000Z")] // not a leap year
    [InlineData("2026-04-31T12:00:00.000Z")]
    [InlineData("2026-13-01T12:00:00.000Z")]
    [InlineData("2026-00-01T12:00:00.000Z")]
    [InlineData("2026-11-00T12:00:00.000Z")]
    [InlineData("2026-11-24T24:00:00.000Z")]
    [InlineData("2026-11-24T02:60:00.000Z")]
    [InlineData("2026-11-24T02:00:60.000Z")]
    [InlineData("2026-11-24T02:00:00.Z")]
    [InlineData("2026-11-24T02:00:00.12345678Z")]
    [InlineData("2026-11-24T02:00:00,123Z")]
    [InlineData("2026-11-24T02:00:0a.123Z")]
    [InlineData("2026-11-24 02:00:00.123Z")]
    [InlineData("2026-11-24T02:00:00.123z")]
    [InlineData("2026-11-24T02:00:00.123+01:00")]
    [InlineData("2026-11-24T02:00:00.123")]
    [InlineData("0000-01-01T00:00:00.000Z")]
    public void Other_forms_are_left_to_the_general_parser(string text)
    {
        Assert.False(WireCodec.TryParseCanonicalUtc(Encoding.UTF8.GetBytes(text), out _));
    }

    [Fact]
    public void Random_timestamps_decode_to_the_same_millisecond_on_both_paths()
    {
        var rng = new Random(13);
        for (var i = 0; i < 20_000; i++)
        {
            var ticks = rng.NextInt64(new DateTime(1990, 1, 1).Ticks, new DateTime(2100, 1, 1).Ticks);
            var digits = rng.Next(0, 8);
            var dt = new DateTime(ticks, DateTimeKind.Utc);
            var text = dt.ToString("yyyy-MM-dd'T'HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture)
                + (digits == 0 ? "" : "." + dt.ToString("fffffff", System.Globalization.CultureInfo.InvariantCulture)[..digits]) + "Z";

            Assert.True(WireCodec.TryParseRfc3339(text, out var expected), text);
            Assert.True(WireCodec.TryParseCanonicalUtc(Encoding.UTF8.GetBytes(text), out var ms), text);
            Assert.Equal(expected.ToUnixTimeMilliseconds(), ms);
        }
    }

    [Fact]
    public void A_batch_with_mixed_timestamp_forms_decodes_each_to_its_instant()
    {
        const string json = """
            {"schema":"equipment-log/1","source":"edge-1","seq":1,"records":[
             {"ts":"2026-11-24T02:00:00.250Z","type":"param","name":"a","value":1},
             {"ts":"2026-11-24T03:00:00.250+01:00","type":"param","name":"a","value":2},
             {"ts":"2026-11-24t02:00:00.250z","type":"param","name":"a","value":3},
             {"ts":"2026-11-24T02:00:00.250\u005A","type":"param","name":"a","value":4}]}
            """;

        var decoded = WireCodec.DecodeLogs(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(json)), WireLimits.Default with { MaxFutureSkew = null }, DateTimeOffset.UnixEpoch);

        Assert.True(decoded.IsValid, decoded.ToString());
        Assert.Empty(decoded.RecordErrors);
        var expected = new DateTimeOffset(2026, 11, 24, 2, 0, 0, 250, TimeSpan.Zero).ToUnixTimeMilliseconds();
        Assert.All(decoded.Value.Records, r => Assert.Equal(expected, r.TimestampMs));
    }

    [Fact]
    public void Signal_names_repeated_across_batches_are_one_string_and_escaped_names_read_the_same()
    {
        static LogBatch Decode(string name) => WireCodec.DecodeLogs(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(
            $$"""{"schema":"equipment-log/1","source":"edge-1","seq":1,"records":[{"ts":"2026-11-24T02:00:00.000Z","type":"param","name":"{{name}}","value":1}]}""")),
            WireLimits.Default with { MaxFutureSkew = null }, DateTimeOffset.UnixEpoch).Value!;

        var first = Decode("coldhead_stage2_k").Records[0].Name!;
        var second = Decode("coldhead_stage2_k").Records[0].Name!;
        var escaped = Decode("coldhead\\u005fstage2_k").Records[0].Name!;

        Assert.Equal("coldhead_stage2_k", first);
        Assert.Same(first, second);
        Assert.Equal(first, escaped);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(40)]
    [InlineData(2000)]
    public void A_batch_of_records_smaller_or_larger_than_the_size_estimate_decodes_every_record(int count)
    {
        // Short names and values (fewer bytes per record than the list's size estimate) and long texts (more).
        var records = Enumerable.Range(0, count).Select(i => i % 3 == 0
            ? LogRecord.Event(1_795_485_600_000 + i, "E", Severity.Info, new string('x', 300))
            : LogRecord.Param(1_795_485_600_000 + i, "a", i)).ToArray();
        var payload = WireCodec.EncodeLogs(new LogBatch("s", 1, records));

        var decoded = WireCodec.DecodeLogs(new ReadOnlySequence<byte>(payload), WireLimits.Default with { MaxFutureSkew = null }, DateTimeOffset.UnixEpoch);

        Assert.True(decoded.IsValid, decoded.Detail);
        Assert.Equal(records, decoded.Value.Records);
    }

    [Theory]
    [InlineData(0L, 4)]
    [InlineData(64_000L, 1_000)]
    [InlineData(1L << 40, 10_000)]
    public void The_record_list_is_sized_from_the_payload_within_the_batch_limit(long payloadBytes, int expected) =>
        Assert.Equal(expected, WireCodec.ExpectedRecords(payloadBytes, WireLimits.Default));
}
