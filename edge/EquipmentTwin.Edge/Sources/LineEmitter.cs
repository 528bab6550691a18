using System.Threading.Channels;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Edge.Parsing;

namespace EquipmentTwin.Edge.Sources;

/// <summary>Parses the lines one source read, sets rejected lines aside, and hands the records with their position to the batcher.</summary>
public sealed class LineEmitter(string deviceId, IVendorLogParser parser, ChannelWriter<SourceChunk> output, RejectedLines rejected, SourceCounters counters)
{
    public string DeviceId { get; } = deviceId;
    public SourceCounters Counters { get; } = counters;

    /// <summary>Waits while the batcher is full: that is how a full disk queue holds the sources back.</summary>
    public ValueTask EmitAsync(List<string> lines, SourcePosition? position, CancellationToken ct)
    {
        var chunk = Parse(lines, position);
        return output.WriteAsync(chunk, ct);
    }

    /// <summary>For sources that cannot wait (UDP syslog): false when the batcher is full and the lines are dropped.</summary>
    public bool TryEmit(List<string> lines)
    {
        var chunk = Parse(lines, null);
        return output.TryWrite(chunk);
    }

    private SourceChunk Parse(List<string> lines, SourcePosition? position)
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
            Counters.SetPosition(position.Offset);
            Counters.CurrentFile = position.Path;
        }

        return new SourceChunk(DeviceId, records, position, bytes);
    }
}
