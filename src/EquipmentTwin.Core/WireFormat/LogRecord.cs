namespace EquipmentTwin.Core.WireFormat;

/// <summary>Kind of a log record: a parameter reading or an event.</summary>
public enum RecordType
{
    Param,
    Event,
}

/// <summary>One line of a device's technical log in event time: a parameter value or an event.</summary>
public readonly record struct LogRecord
{
    public required long TimestampMs { get; init; }
    public required RecordType Type { get; init; }

    /// <summary>Signal name, for <see cref="RecordType.Param"/>.</summary>
    public string? Name { get; init; }

    public double Value { get; init; }

    /// <summary>Event code, for <see cref="RecordType.Event"/>.</summary>
    public string? Code { get; init; }

    public Severity Severity { get; init; }
    public string? Text { get; init; }

    public DateTimeOffset Timestamp => DateTimeOffset.FromUnixTimeMilliseconds(TimestampMs);

    public static LogRecord Param(long timestampMs, string name, double value) =>
        new() { TimestampMs = timestampMs, Type = RecordType.Param, Name = name, Value = value };

    public static LogRecord Event(long timestampMs, string code, Severity severity, string? text) =>
        new() { TimestampMs = timestampMs, Type = RecordType.Event, Code = code, Severity = severity, Text = text };
}

/// <summary>A <c>logs</c> payload: records from one source, numbered by <see cref="Seq"/> for de-duplication.</summary>
public sealed record LogBatch(string Source, long Seq, IReadOnlyList<LogRecord> Records);

/// <summary>A record the decoder refused, by its position in the batch.</summary>
public sealed record RecordError(int Index, RejectReason Reason, string Detail);
