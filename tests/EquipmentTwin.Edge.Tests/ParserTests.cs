using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Edge.Parsing;
using EquipmentTwin.Testing;

namespace EquipmentTwin.Edge.Tests;

public class ParserTests
{
    [Theory]
    [InlineData("pipe", "mri-pipe.log", 400)]
    [InlineData("bracket", "ct-bracket.log", 400)]
    [InlineData("csv", "xray-csv.log", 400)]
    public void Sample_vendor_file_parses_without_a_rejected_line(string format, string file, int records)
    {
        var parser = VendorParsers.For(format);
        var results = File.ReadLines(RepoPaths.Seeds("samples", file)).Select(l => parser.Parse(l)).ToList();

        Assert.Empty(results.Where(r => r.Kind == LineParseKind.Rejected).Select(r => r.Reason));
        Assert.Equal(records, results.Count(r => r.Kind == LineParseKind.Record));
        Assert.All(results.Where(r => r.Kind == LineParseKind.Record), r => Assert.InRange(r.Record.Timestamp.Year, 2026, 2026));
    }

    [Fact]
    public void Pipe_lines_map_to_param_and_event_records_in_utc()
    {
        var p = new PipeLogParser();
        var param = p.Parse("2026-11-24 02:00:00.123|PARAM|he_level_pct|71.2|%");
        var evt = p.Parse("2026-11-24 02:00:05.000|EVENT|MR-HE-201|WARN|Helium level low / check");

        Assert.Equal(LogRecord.Param(DateTimeOffset.Parse("2026-11-24T02:00:00.123Z").ToUnixTimeMilliseconds(), "he_level_pct", 71.2), param.Record);
        Assert.Equal(RecordType.Event, evt.Record.Type);
        Assert.Equal("MR-HE-201", evt.Record.Code);
        Assert.Equal(Severity.Warning, evt.Record.Severity);
        Assert.Equal("Helium level low / check", evt.Record.Text);
    }

    [Fact]
    public void Bracket_event_text_is_unescaped()
    {
        var r = new BracketLogParser().Parse("""[24-Nov-2026 02:00:00.123] EVT CT-TUB-101 ERR "arc \"spit\" in C:\\tube" """.TrimEnd());

        Assert.Equal(LineParseKind.Record, r.Kind);
        Assert.Equal("arc \"spit\" in C:\\tube", r.Record.Text);
        Assert.Equal(Severity.Error, r.Record.Severity);
        Assert.Equal(DateTimeOffset.Parse("2026-11-24T02:00:00.123Z").ToUnixTimeMilliseconds(), r.Record.TimestampMs);
    }

    [Fact]
    public void Csv_header_is_skipped_and_quoted_text_keeps_semicolons()
    {
        var p = new CsvLogParser();
        Assert.Equal(LineParseKind.Skip, p.Parse(CsvLogParser.Header).Kind);

        var e = p.Parse("1795485601250;E;XR-EXP-020;;;C;\"tube; \"\"hot\"\"\"");
        Assert.Equal("tube; \"hot\"", e.Record.Text);
        Assert.Equal(Severity.Critical, e.Record.Severity);
        Assert.Equal(1795485601250, e.Record.TimestampMs);

        var v = p.Parse("1795485601250;P;kv_actual_kv;81.3;kV;;");
        Assert.Equal(81.3, v.Record.Value);
    }

    [Theory]
    [InlineData("pipe", "2026-13-24 02:00:00.123|PARAM|x|1|%", "bad-timestamp")]
    [InlineData("pipe", "2026-11-24 02:00:00.123|PARAM|x|NaN|%", "bad-value")]
    [InlineData("pipe", "2026-11-24 02:00:00.123|PARAM|bad name|1|%", "bad-name")]
    [InlineData("pipe", "2026-11-24 02:00:00.123|EVENT|MR-1|LOUD|x", "bad-severity")]
    [InlineData("pipe", "1999-12-31 23:59:59.000|PARAM|x|1|%", "bad-timestamp")]
    [InlineData("bracket", "[24-Foo-2026 02:00:00.123] PAR a=1 %", "bad-timestamp")]
    [InlineData("bracket", "[24-Nov-2026 02:00:00.123] EVT CT-1 ERR \"unterminated", "malformed")]
    [InlineData("csv", "abc;P;x;1;%;;", "bad-timestamp")]
    [InlineData("csv", "1795485601250;Q;x;1;%;;", "bad-kind")]
    [InlineData("csv", "1795485601250;P;x", "malformed")]
    public void Bad_lines_are_rejected_with_a_reason(string format, string line, string reason)
    {
        var r = VendorParsers.For(format).Parse(line);

        Assert.Equal(LineParseKind.Rejected, r.Kind);
        Assert.StartsWith(reason, r.Reason);
    }

    [Theory]
    [InlineData("pipe", "mri-pipe.log")]
    [InlineData("bracket", "ct-bracket.log")]
    [InlineData("csv", "xray-csv.log")]
    public void Fuzzed_lines_never_throw_and_never_yield_an_invalid_record(string format, string file)
    {
        var parser = VendorParsers.For(format);
        var lines = File.ReadAllLines(RepoPaths.Seeds("samples", file));
        var random = new Random(42);
        const string alphabet = "|;[]\"\\=-:. 0123456789aZ\u00e9\u00b0\t\0";
        for (var i = 0; i < 20_000; i++)
        {
            var chars = lines[random.Next(lines.Length)].ToCharArray().ToList();
            switch (random.Next(4))
            {
                case 0:
                    chars = chars.Take(random.Next(chars.Count + 1)).ToList(); // truncated
                    break;
                case 1:
                    chars[random.Next(chars.Count)] = alphabet[random.Next(alphabet.Length)];
                    break;
                case 2:
                    chars.Insert(random.Next(chars.Count + 1), alphabet[random.Next(alphabet.Length)]);
                    break;
                default:
                    chars = Enumerable.Range(0, random.Next(80)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToList();
                    break;
            }

            var r = parser.Parse(new string(chars.ToArray()));
            if (r.Kind == LineParseKind.Record)
            {
                // Whatever the parser accepts, the service's decoder must accept too.
                var payload = WireCodec.EncodeLogs(new LogBatch("fuzz", 1, [r.Record]));
                var decoded = WireCodec.DecodeLogs(payload, WireLimits.Default with { MaxFutureSkew = null }, DateTimeOffset.UtcNow);
                Assert.True(decoded.IsValid && decoded.RecordErrors.Count == 0, $"'{new string(chars.ToArray())}' parsed but the service refuses it: {decoded.Detail}{string.Join(";", decoded.RecordErrors)}");
            }
            else if (r.Kind == LineParseKind.Rejected)
            {
                Assert.False(string.IsNullOrEmpty(r.Reason));
            }
        }
    }
}
