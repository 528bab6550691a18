using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Storage;

/// <summary>
/// The one rule for two readings of the same signal at the same millisecond, kept by every store: a reading
/// is identified by (device, signal, millisecond) and a later one replaces an earlier one (last write wins,
/// which is what InfluxDB does by design and what SQLite's primary key on (series, ts) does). Within one
/// batch the replaced readings are counted (<c>readingsReplaced</c>); across batches the later batch wins
/// without a count, because InfluxDB cannot tell without reading back.
/// </summary>
public static class SameMillisecondReadings
{
    /// <summary>How many readings of the batch a later reading of the same batch replaces.</summary>
    public static long CountReplaced(IReadOnlyList<LogRecord> records)
    {
        HashSet<(string, long)>? seen = null;
        long replaced = 0;
        foreach (var r in records)
        {
            if (r.Type != RecordType.Param)
            {
                continue;
            }

            seen ??= new HashSet<(string, long)>();
            if (!seen.Add((r.Name!, r.TimestampMs)))
            {
                replaced++;
            }
        }

        return replaced;
    }
}
