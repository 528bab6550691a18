using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Edge.Parsing;

/// <summary>What a vendor line turned into: a record, nothing (header, blank), or a rejection with its reason.</summary>
public readonly record struct LineParse(LineParseKind Kind, LogRecord Record, string? Reason)
{
    public static LineParse Ok(LogRecord record) => new(LineParseKind.Record, record, null);

    public static LineParse Skip { get; } = new(LineParseKind.Skip, default, null);

    public static LineParse Reject(string reason) => new(LineParseKind.Rejected, default, reason);
}

public enum LineParseKind
{
    Record,
    Skip,
    Rejected,
}
