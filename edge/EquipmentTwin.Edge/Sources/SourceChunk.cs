using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Edge.Sources;

/// <summary>Records parsed from consecutive lines of one source, and the position after the last of those lines (null for syslog, which cannot be replayed).</summary>
public sealed record SourceChunk(string DeviceId, IReadOnlyList<LogRecord> Records, SourcePosition? Position, int ApproxBytes);
