using System.Threading.Channels;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Edge.Parsing;

namespace EquipmentTwin.Edge.Sources;

/// <summary>Parses the lines one source read, sets rejected lines aside, and hands the records with their position to the batcher.</summary>
public sealed class LineEmitter(string deviceId, IVendorLogParser parser, ChannelWriter<SourceChunk> output, RejectedLines rejected, SourceCounters counters)
{
    public string DeviceId { get; } = deviceId;
    public SourceCounters Counters { get; } = counters;

    /// <summary>
    /// Waits while the batcher is full: that is how a full disk queue holds the sources back. The position gets the
    /// source's counters as they are after these lines, so they are journaled together. With <paramref name="primary"/>
    /// false (a rotated file, a position only) the status keeps showing the source's current file.
    /// </summary>
    public ValueTask EmitAsync(List<string> lines, SourcePosition? position, CancellationToken ct, bool primary = true)
    {
        var chunk = Parse(lines, position, primary);
        return output.WriteAsync(chunk, ct);
    }

    /// <summary>For sources that cannot wait (UDP syslog): false when the batcher is full and the lines are dropped.</summary>
    public bool TryEmit(List<string> lines)
    {
        var chunk = Parse(lines, null, primary: false);
        return output.TryWrite(chunk);
    }

    private SourceChunk Parse(List<string> lines, SourcePosition? position, bool primary)
    {
        var records = new List<LogRecord>(lines.Count);
        var bytes = 0;
        var rejectedCount = 0;
        foreach (var line in lines)
        {
            var r = parser.Parse(line);
            switch (r.Kind)
            {
                case LineParseKind.Record:
                    records.Add(r.Record);
                    bytes += line.Length + 64;
                    break;
                case LineParseKind.Rejected:
                    rejected.Write(DeviceId, r.Reason ?? "rejected", line);
                    rejectedCount++;
                    break;
            }
        }

        Counters.Add(lines.Count, rejectedCount);
        if (position is not null)
        {
            position = position with { Totals = Counters.Totals };
            if (primary)
            {
                Counters.SetPosition(position.Offset);
                Counters.CurrentFile = position.Path;
            }
        }

        return new SourceChunk(DeviceId, records, position, bytes);
    }
}
