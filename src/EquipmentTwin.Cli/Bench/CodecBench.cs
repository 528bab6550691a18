using System.Buffers;
using System.Diagnostics;
using System.Text.Json;
using EquipmentTwin.Cli.Progress;
using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Cli.Bench;

/// <summary>Options of <c>twin bench codec</c>.</summary>
public sealed record CodecBenchOptions(int Records, int Payloads, int Runs, bool Json);

/// <summary>
/// <c>twin bench codec</c>: the wire decoder (<see cref="WireCodec.DecodeLogs(ReadOnlySequence{byte}, WireLimits, DateTimeOffset)"/>)
/// on logs payloads like the ingest bench's (19 parameter records and one event in every 20, RFC 3339 timestamps):
/// MB/s, records/s and bytes allocated per record (<see cref="GC.GetAllocatedBytesForCurrentThread"/>). Baselines in
/// the same run, on the same payloads: a bare <see cref="Utf8JsonReader"/> pass over every token (the floor of any
/// decoder of this JSON) and <see cref="JsonDocument.Parse(ReadOnlyMemory{byte}, JsonDocumentOptions)"/>.
/// </summary>
public static class CodecBench
{
    public static int Run(CodecBenchOptions o, TextWriter output, TextWriter? error = null)
    {
        using var progress = error is null || ReferenceEquals(error, Console.Error) ? ConsoleProgress.Start("twin bench codec") : ConsoleProgress.Start("twin bench codec", error);
        progress.Step($"encoding {o.Payloads:N0} payloads of {o.Records:N0} records");
        var payloads = MakePayloads(o.Records, o.Payloads);
        var bytes = payloads.Sum(p => (long)p.Length);
        var records = (long)o.Records * o.Payloads;
        var received = DateTimeOffset.FromUnixTimeMilliseconds(T0).AddDays(30);
        var limits = WireLimits.Default;

        long decoded = 0;
        progress.Step($"the wire decoder, {o.Runs} runs");
        var decoder = Measure(o.Runs, () =>
        {
            foreach (var p in payloads)
            {
                var r = WireCodec.DecodeLogs(new ReadOnlySequence<byte>(p), limits, received);
                if (!r.IsValid || r.RecordErrors.Count > 0)
                {
                    throw new InvalidOperationException("the bench payload did not decode: " + r);
                }

                decoded += r.Value.Records.Count;
            }
        });
        if (decoded != records * (o.Runs + 1))
        {
            throw new InvalidOperationException($"decoded {decoded:N0} records, expected {records * (o.Runs + 1):N0}");
        }

        progress.Step($"baseline: a bare Utf8JsonReader pass, {o.Runs} runs");
        var scan = Measure(o.Runs, () =>
        {
            foreach (var p in payloads)
            {
                var reader = new Utf8JsonReader(p);
                while (reader.Read())
                {
                }
            }
        });
        progress.Step($"baseline: JsonDocument.Parse, {o.Runs} runs");
        var document = Measure(o.Runs, () =>
        {
            foreach (var p in payloads)
            {
                using var doc = JsonDocument.Parse(p);
            }
        });

        (double MBps, double RecordsPerSecond, double BytesPerRecord) Figures((double Seconds, long Allocated) m) =>
            (bytes / m.Seconds / 1e6, records / m.Seconds, (double)m.Allocated / records);
        var d = Figures(decoder);
        var s = Figures(scan);
        var j = Figures(document);
        if (o.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(new
            {
                bench = "codec",
                options = o,
                payloadBytes = bytes,
                bytesPerRecordOnTheWire = (double)bytes / records,
                decoder = new { mbPerSecond = d.MBps, recordsPerSecond = d.RecordsPerSecond, allocatedBytesPerRecord = d.BytesPerRecord },
                baselineReaderScan = new { mbPerSecond = s.MBps, recordsPerSecond = s.RecordsPerSecond, allocatedBytesPerRecord = s.BytesPerRecord },
                baselineJsonDocument = new { mbPerSecond = j.MBps, recordsPerSecond = j.RecordsPerSecond, allocatedBytesPerRecord = j.BytesPerRecord },
                ratioToReaderScan = d.MBps / s.MBps,
                ratioToJsonDocument = d.MBps / j.MBps,
                machine = "shared",
                host = BenchSupport.Host(),
            }));
        }
        else
        {
            output.WriteLine($"codec bench: {o.Payloads:N0} logs payloads of {o.Records:N0} records ({bytes / 1e6:0.0} MB, {(double)bytes / records:0.0} bytes per record), median of {o.Runs} runs (machine shared: compare ratios)");
            output.WriteLine($"decoder: {d.MBps:0.0} MB/s, {d.RecordsPerSecond:N0} records/s, {d.BytesPerRecord:0.0} bytes allocated per record");
            output.WriteLine($"baseline, Utf8JsonReader over every token: {s.MBps:0.0} MB/s, {s.BytesPerRecord:0.0} bytes per record; JsonDocument.Parse: {j.MBps:0.0} MB/s, {j.BytesPerRecord:0.0} bytes per record");
            output.WriteLine($"ratio: decoder / reader scan = {d.MBps / s.MBps:0.00}, decoder / JsonDocument = {d.MBps / j.MBps:0.00}");
        }

        return 0;
    }

    private static readonly long T0 = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    internal static List<byte[]> MakePayloads(int records, int payloads)
    {
        var list = new List<byte[]>(payloads);
        for (var b = 0; b < payloads; b++)
        {
            var recs = new LogRecord[records];
            for (var r = 0; r < records; r++)
            {
                var ts = T0 + (((long)b * records) + r) * 1000;
                recs[r] = r % 20 == 0
                    ? LogRecord.Event(ts, "MR-SEQ-020", Severity.Info, "Sequence started")
                    : LogRecord.Param(ts, "sig_" + (r % 19), 20 + ((r % 7) * 0.5));
            }

            list.Add(WireCodec.EncodeLogs(new LogBatch("bench", b + 1, recs)));
        }

        return list;
    }

    /// <summary>One uncounted warm-up pass, then the median seconds of <paramref name="runs"/> passes and the bytes one pass allocates.</summary>
    private static (double Seconds, long Allocated) Measure(int runs, Action pass)
    {
        pass();
        var seconds = new List<double>();
        var allocated = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var a0 = GC.GetAllocatedBytesForCurrentThread();
            var t0 = Stopwatch.GetTimestamp();
            pass();
            seconds.Add(Stopwatch.GetElapsedTime(t0).TotalSeconds);
            allocated.Add(GC.GetAllocatedBytesForCurrentThread() - a0);
        }

        return (BenchSupport.Median(seconds), (long)BenchSupport.Median(allocated));
    }
}
