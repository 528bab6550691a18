using System.Threading.Channels;
using EquipmentTwin.Edge.Parsing;
using EquipmentTwin.Edge.Sources;
using EquipmentTwin.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace EquipmentTwin.Edge.Tests;

/// <summary>A tail source started again in the same process (as the host does after a source fails) resumes after what it handed on, rotated files included.</summary>
public class TailSourceRestartTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_tail_source_started_again_resumes_after_the_lines_it_handed_on_and_follows_its_rotated_file()
    {
        using var dir = new TempDirectory("edge-tail-again");
        var log = Path.Combine(dir.Path, "mr.log");
        var channel = Channel.CreateUnbounded<SourceChunk>();
        var counters = new SourceCounters("d1", "tail", log);
        using var rejected = new RejectedLines(dir.Path);
        var emitter = new LineEmitter("d1", VendorParsers.For("pipe"), channel.Writer, rejected, counters);
        var source = new TailSource("tail:d1:" + log, log, emitter, new Dictionary<string, SourcePosition>(), TimeSpan.FromMilliseconds(20),
            TimeSpan.FromMilliseconds(200), 1000, new LossLog(dir.Path, TimeProvider.System, NullLogger<LossLog>.Instance), TimeProvider.System, NullLogger.Instance);
        var times = new List<long>();
        async Task<int> Drain()
        {
            while (channel.Reader.TryRead(out var chunk))
            {
                times.AddRange(chunk.Records.Select(r => r.TimestampMs));
            }

            return await Task.FromResult(times.Count);
        }

        VendorLines.Append(log, 0, 100);
        using (var first = new CancellationTokenSource())
        {
            var run = source.RunAsync(first.Token);
            await Eventually.HoldsAsync(Drain, n => n >= 100, Wait, "100 lines handed on");
            File.Move(log, log + ".1");
            VendorLines.Append(log + ".1", 100, 150);
            VendorLines.Append(log, 150, 200);
            await Eventually.HoldsAsync(Drain, n => n >= 200, Wait, "200 lines handed on");
            await first.CancelAsync();
            await run;
        }

        // Between the runs the renamed file grows late and the new one goes on.
        VendorLines.Append(log + ".1", 200, 250);
        VendorLines.Append(log, 250, 300);
        using var second = new CancellationTokenSource();
        var again = source.RunAsync(second.Token);
        await Eventually.HoldsAsync(Drain, n => n >= 300, Wait, "300 lines handed on");
        await Eventually.HoldsAsync(() => Task.FromResult(counters.Rotated), r => r.Count == 1 && !r[0].Open, Wait, "the rotated file closed after the grace");
        await second.CancelAsync();
        await again;

        await Drain();
        Assert.Equal(300, times.Count);
        Assert.Equal(300, times.Distinct().Count());
        Assert.Equal(300, counters.LinesRead);
    }
}
