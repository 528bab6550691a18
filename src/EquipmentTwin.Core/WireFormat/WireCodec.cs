using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace EquipmentTwin.Core.WireFormat;

/// <summary>
/// Encoder and decoder of wire-format v1 payloads (docs/wire-format.md). The decoder reads the raw
/// payload with <see cref="Utf8JsonReader"/>, returns a reason instead of throwing, and keeps the good
/// records of a batch whose other records are bad.
/// </summary>
public static class WireCodec
{
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 16, CommentHandling = JsonCommentHandling.Disallow };

    private delegate DecodeResult<T> ReadBody<T>(ref Utf8JsonReader reader)
        where T : class;

    /// <summary>The size check, the reader and the exception boundary every payload kind shares.</summary>
    private static DecodeResult<T> Decode<T>(ReadOnlySequence<byte> payload, WireLimits limits, ReadBody<T> read)
        where T : class
    {
        if (payload.Length > limits.MaxPayloadBytes)
        {
            return DecodeResult<T>.Invalid(RejectReason.PayloadTooLarge, $"payload is {payload.Length} bytes; the limit is {limits.MaxPayloadBytes}");
        }

        try
        {
            var reader = new Utf8JsonReader(payload, ReaderOptions);
            var result = read(ref reader);
            return result.IsValid || result.Reason != RejectReason.MalformedJson ? EnsureEnd(ref reader, result) : result;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or ArgumentException or FormatException)
        {
            return DecodeResult<T>.Invalid(RejectReason.MalformedJson, JsonError(ex));
        }
    }

    public static DecodeResult<LogBatch> DecodeLogs(ReadOnlySequence<byte> payload, WireLimits limits, DateTimeOffset receivedAt)
    {
        var capacity = ExpectedRecords(payload.Length, limits);
        return Decode(payload, limits, (ref Utf8JsonReader r) => ReadLogs(ref r, limits, receivedAt, capacity));
    }

    /// <summary>
    /// Records a logs payload of this size probably holds, so the list is sized once instead of doubling its way up
    /// (a record is a 56-byte struct: the doublings were most of the decoder's allocations). A record takes about
    /// 65-80 bytes on the wire; a payload of smaller records costs one doubling more.
    /// </summary>
    internal static int ExpectedRecords(long payloadBytes, WireLimits limits) =>
        (int)Math.Clamp(payloadBytes / BytesPerRecordEstimate, 4, Math.Max(4, limits.MaxRecordsPerBatch));

    private const int BytesPerRecordEstimate = 64;

    public static DecodeResult<LogBatch> DecodeLogs(ReadOnlyMemory<byte> payload, WireLimits limits, DateTimeOffset receivedAt) =>
        DecodeLogs(new ReadOnlySequence<byte>(payload), limits, receivedAt);

    public static DecodeResult<Nameplate> DecodeNameplate(ReadOnlySequence<byte> payload, WireLimits limits) =>
        Decode(payload, limits, (ref Utf8JsonReader r) => ReadNameplate(ref r, limits));

    public static DecodeResult<DeviceStatus> DecodeStatus(ReadOnlySequence<byte> payload, WireLimits limits) =>
        Decode(payload, limits, (ref Utf8JsonReader r) => ReadStatus(ref r, limits));

    public static DecodeResult<MaintenanceRecord> DecodeMaintenance(ReadOnlySequence<byte> payload, WireLimits limits) =>
        Decode(payload, limits, (ref Utf8JsonReader r) => ReadMaintenance(ref r, limits));

    private static DecodeResult<MaintenanceRecord> ReadMaintenance(ref Utf8JsonReader reader, WireLimits limits)
    {
        var f = ReadFlat(ref reader, limits, "maintenance record", "schema", "component", "action", "text", "engineer");
        if (f.Refusal is { } refusal)
        {
            return DecodeResult<MaintenanceRecord>.Invalid(refusal.Reason, refusal.Detail);
        }

        var (schema, component, action, text, engineer) = (f.Values[0], f.Values[1], f.Values[2], f.Values[3], f.Values[4]);
        var (ts, tsProblem, problem) = (f.Ts, f.TsProblem, f.Problem);
        if (schema != WireLimits.MaintenanceSchema)
        {
            return DecodeResult<MaintenanceRecord>.Invalid(RejectReason.SchemaMismatch, $"schema \"{Topics.Truncate(schema)}\" is not \"{WireLimits.MaintenanceSchema}\"");
        }

        if (tsProblem is not null)
        {
            return DecodeResult<MaintenanceRecord>.Invalid(RejectReason.BadTimestamp, tsProblem);
        }

        if (problem is not null)
        {
            return DecodeResult<MaintenanceRecord>.Invalid(RejectReason.InvalidField, problem);
        }

        if (ts is null || component is null || action is null)
        {
            return DecodeResult<MaintenanceRecord>.Invalid(RejectReason.MissingField, "ts, component and action are required");
        }

        if (!IsValidIdentifier(component, limits.MaxNameLength, allowDotColon: false))
        {
            return DecodeResult<MaintenanceRecord>.Invalid(RejectReason.InvalidField, $"component '{Topics.Truncate(component)}' must match [A-Za-z0-9_.-]{{1,{limits.MaxNameLength}}}");
        }

        if (!MaintenanceActionNames.TryParse(action, out var act))
        {
            return DecodeResult<MaintenanceRecord>.Invalid(RejectReason.InvalidField, $"action '{Topics.Truncate(action)}' is not service, repair or replace");
        }

        if (text is not null && text.Length > limits.MaxTextLength)
        {
            text = text[..limits.MaxTextLength];
        }

        return DecodeResult<MaintenanceRecord>.Valid(new MaintenanceRecord(ts.Value, component, act, text, engineer));
    }

    public static byte[] EncodeMaintenance(MaintenanceRecord record)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("schema"u8, WireLimits.MaintenanceSchema);
            writer.WriteString("ts"u8, FormatRfc3339(record.TimestampMs));
            writer.WriteString("component"u8, record.Component);
            writer.WriteString("action"u8, record.Action.ToWire());
            WriteOptional(writer, "text", record.Text);
            WriteOptional(writer, "engineer", record.Engineer);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static DecodeResult<T> EnsureEnd<T>(ref Utf8JsonReader reader, DecodeResult<T> result)
        where T : class
    {
        // Anything after the one top-level value makes the whole payload malformed; the reader throws on it.
        if (reader.CurrentDepth == 0 && reader.TokenType is JsonTokenType.EndObject && reader.Read())
        {
            return DecodeResult<T>.Invalid(RejectReason.MalformedJson, "content after the top-level object");
        }

        return result;
    }

    private static string JsonError(Exception ex)
    {
        var message = ex.Message;
        var cut = message.IndexOf(" LineNumber", StringComparison.Ordinal);
        return "not valid JSON: " + (cut > 0 ? message[..cut] : message);
    }

    private static DecodeResult<LogBatch> ReadLogs(ref Utf8JsonReader reader, WireLimits limits, DateTimeOffset receivedAt, int expectedRecords)
    {
        if (!reader.Read())
        {
            return DecodeResult<LogBatch>.Invalid(RejectReason.MalformedJson, "empty payload");
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return DecodeResult<LogBatch>.Invalid(RejectReason.SchemaMismatch, $"a logs payload is a JSON object, not {Describe(reader.TokenType)}");
        }

        string? schema = null;
        string? source = null;
        long? seq = null;
        string? seqProblem = null;
        List<LogRecord>? records = null;
        List<RecordError>? errors = null;
        var sawRecords = false;
        var tooMany = false;

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("schema"u8))
            {
                reader.Read();
                schema = reader.TokenType == JsonTokenType.String ? reader.GetString() : SkipAndDescribe(ref reader);
            }
            else if (reader.ValueTextEquals("source"u8))
            {
                reader.Read();
                source = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                if (reader.TokenType != JsonTokenType.String)
                {
                    reader.Skip();
                    source = "";
                }
            }
            else if (reader.ValueTextEquals("seq"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var s) && s >= 0)
                {
                    seq = s;
                }
                else
                {
                    seqProblem = reader.TokenType == JsonTokenType.Number ? "seq must be a whole number >= 0" : $"seq must be a number, not {Describe(reader.TokenType)}";
                    reader.Skip();
                }
            }
            else if (reader.ValueTextEquals("records"u8))
            {
                reader.Read();
                sawRecords = true;
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    var what = Describe(reader.TokenType);
                    reader.Skip();
                    return DecodeResult<LogBatch>.Invalid(RejectReason.InvalidField, $"records must be an array, not {what}");
                }

                records = new List<LogRecord>(expectedRecords);
                var index = 0;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (index >= limits.MaxRecordsPerBatch)
                    {
                        tooMany = true;
                        reader.Skip();
                        index++;
                        continue;
                    }

                    if (TryReadRecord(ref reader, limits, receivedAt, out var record, out var reason, out var detail))
                    {
                        records.Add(record);
                    }
                    else
                    {
                        (errors ??= []).Add(new RecordError(index, reason, detail));
                    }

                    index++;
                }

                if (tooMany)
                {
                    return DecodeResult<LogBatch>.Invalid(RejectReason.TooManyRecords, $"{index} records; the limit is {limits.MaxRecordsPerBatch} per batch");
                }
            }
            else
            {
                // Unknown top-level fields are ignored so that later minor versions stay readable.
                reader.Read();
                reader.Skip();
            }
        }

        if (schema is null)
        {
            return DecodeResult<LogBatch>.Invalid(RejectReason.SchemaMismatch, $"schema is missing; expected \"{WireLimits.LogSchema}\"");
        }

        if (schema != WireLimits.LogSchema)
        {
            return DecodeResult<LogBatch>.Invalid(RejectReason.SchemaMismatch, $"schema \"{Topics.Truncate(schema)}\" is not \"{WireLimits.LogSchema}\"");
        }

        if (source is null)
        {
            return DecodeResult<LogBatch>.Invalid(RejectReason.MissingField, "source is missing");
        }

        if (!IsValidIdentifier(source, limits.MaxSourceLength, allowDotColon: true))
        {
            return DecodeResult<LogBatch>.Invalid(RejectReason.InvalidField, $"source '{Topics.Truncate(source)}' must match [A-Za-z0-9_.:-]{{1,{limits.MaxSourceLength}}}");
        }

        if (seqProblem is not null)
        {
            return DecodeResult<LogBatch>.Invalid(RejectReason.InvalidField, seqProblem);
        }

        if (seq is null)
        {
            return DecodeResult<LogBatch>.Invalid(RejectReason.MissingField, "seq is missing");
        }

        if (!sawRecords || records is null)
        {
            return DecodeResult<LogBatch>.Invalid(RejectReason.MissingField, "records is missing");
        }

        return DecodeResult<LogBatch>.Valid(new LogBatch(source, seq.Value, records), errors);
    }

    private static bool TryReadRecord(ref Utf8JsonReader reader, WireLimits limits, DateTimeOffset receivedAt, out LogRecord record, out RejectReason reason, out string detail)
    {
        record = default;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            var what = Describe(reader.TokenType);
            reader.Skip();
            reason = RejectReason.InvalidField;
            detail = $"a record is a JSON object, not {what}";
            return false;
        }

        long? ts = null;
        string? tsProblem = null;
        var tsReason = RejectReason.BadTimestamp;
        string? type = null;
        string? name = null;
        double? value = null;
        string? valueProblem = null;
        string? code = null;
        string? severity = null;
        string? text = null;
        string? fieldProblem = null;

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("ts"u8))
            {
                reader.Read();
                if (!TryReadTimestamp(ref reader, limits, receivedAt, out var t, out tsReason, out tsProblem))
                {
                    ts = null;
                }
                else
                {
                    ts = t;
                }
            }
            else if (reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                // The two known kinds without a string each; anything else as before.
                type = reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("param"u8) ? "param"
                    : reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("event"u8) ? "event"
                    : ReadCurrentStringOrNull(ref reader, "type", ref fieldProblem);
            }
            else if (reader.ValueTextEquals("name"u8))
            {
                reader.Read();
                name = reader.TokenType == JsonTokenType.String ? SignalNames.Get(ref reader) : ReadCurrentStringOrNull(ref reader, "name", ref fieldProblem);
            }
            else if (reader.ValueTextEquals("value"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var v) && double.IsFinite(v))
                {
                    value = v;
                }
                else if (reader.TokenType is JsonTokenType.True or JsonTokenType.False)
                {
                    value = reader.TokenType == JsonTokenType.True ? 1 : 0;
                }
                else
                {
                    valueProblem = $"value must be a finite number, not {Describe(reader.TokenType)}";
                    reader.Skip();
                }
            }
            else if (reader.ValueTextEquals("code"u8))
            {
                code = ReadStringOrNull(ref reader, "code", ref fieldProblem);
            }
            else if (reader.ValueTextEquals("severity"u8))
            {
                severity = ReadStringOrNull(ref reader, "severity", ref fieldProblem);
            }
            else if (reader.ValueTextEquals("text"u8))
            {
                text = ReadStringOrNull(ref reader, "text", ref fieldProblem);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (tsProblem is not null)
        {
            reason = tsReason;
            detail = tsProblem;
            return false;
        }

        if (ts is null)
        {
            reason = RejectReason.MissingField;
            detail = "ts is missing";
            return false;
        }

        if (fieldProblem is not null)
        {
            reason = RejectReason.InvalidField;
            detail = fieldProblem;
            return false;
        }

        switch (type)
        {
            case "param":
                if (name is null)
                {
                    reason = RejectReason.MissingField;
                    detail = "a param record needs a name";
                    return false;
                }

                if (!IsValidIdentifier(name, limits.MaxNameLength, allowDotColon: false))
                {
                    reason = RejectReason.InvalidField;
                    detail = $"name '{Topics.Truncate(name)}' must match [A-Za-z0-9_.-]{{1,{limits.MaxNameLength}}}";
                    return false;
                }

                if (valueProblem is not null)
                {
                    reason = RejectReason.InvalidField;
                    detail = valueProblem;
                    return false;
                }

                if (value is null)
                {
                    reason = RejectReason.MissingField;
                    detail = "a param record needs a value";
                    return false;
                }

                record = LogRecord.Param(ts.Value, name, value.Value);
                break;

            case "event":
                if (code is null)
                {
                    reason = RejectReason.MissingField;
                    detail = "an event record needs a code";
                    return false;
                }

                if (!IsValidIdentifier(code, limits.MaxNameLength, allowDotColon: false))
                {
                    reason = RejectReason.InvalidField;
                    detail = $"code '{Topics.Truncate(code)}' must match [A-Za-z0-9_.-]{{1,{limits.MaxNameLength}}}";
                    return false;
                }

                var sev = Severity.Info;
                if (severity is not null && !SeverityNames.TryParse(severity, out sev))
                {
                    reason = RejectReason.InvalidField;
                    detail = $"severity '{Topics.Truncate(severity)}' is not info, warning, error or critical";
                    return false;
                }

                if (text is not null && text.Length > limits.MaxTextLength)
                {
                    text = text[..limits.MaxTextLength];
                }

                record = LogRecord.Event(ts.Value, code, sev, text);
                break;

            case null:
                reason = RejectReason.MissingField;
                detail = "type is missing";
                return false;

            default:
                reason = RejectReason.InvalidField;
                detail = $"type '{Topics.Truncate(type)}' is not param or event";
                return false;
        }

        reason = default;
        detail = "";
        return true;
    }

    /// <summary>What a flat payload (nameplate, status, maintenance) holds: named string fields and an optional <c>ts</c>.</summary>
    private sealed class FlatFields(int count)
    {
        public string?[] Values { get; } = new string?[count];
        public long? Ts;
        public string? TsProblem;
        public string? Problem;
        public (RejectReason Reason, string Detail)? Refusal;
    }

    /// <summary>Reads a JSON object of string fields named <paramref name="names"/> and an optional <c>ts</c>; other fields are skipped.</summary>
    private static FlatFields ReadFlat(ref Utf8JsonReader reader, WireLimits limits, string kind, params string[] names)
    {
        var f = new FlatFields(names.Length);
        if (!reader.Read())
        {
            f.Refusal = (RejectReason.MalformedJson, "empty payload");
            return f;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            var what = Describe(reader.TokenType);
            reader.Skip();
            f.Refusal = (RejectReason.SchemaMismatch, $"a {kind} is a JSON object, not {what}");
            return f;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var index = -1;
            for (var i = 0; i < names.Length; i++)
            {
                if (reader.ValueTextEquals(names[i]))
                {
                    index = i;
                    break;
                }
            }

            if (index >= 0)
            {
                f.Values[index] = ReadStringOrNull(ref reader, names[index], ref f.Problem);
            }
            else if (reader.ValueTextEquals("ts"u8))
            {
                reader.Read();
                if (TryReadTimestamp(ref reader, limits with { MaxFutureSkew = null }, DateTimeOffset.MaxValue, out var t, out _, out var tsProblem))
                {
                    f.Ts = t;
                }
                else
                {
                    f.TsProblem ??= tsProblem;
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return f;
    }

    private static string? ReadStringOrNull(ref Utf8JsonReader reader, string field, ref string? problem)
    {
        reader.Read();
        return ReadCurrentStringOrNull(ref reader, field, ref problem);
    }

    private static string? ReadCurrentStringOrNull(ref Utf8JsonReader reader, string field, ref string? problem)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return reader.GetString();
        }

        if (reader.TokenType != JsonTokenType.Null)
        {
            problem ??= $"{field} must be a string, not {Describe(reader.TokenType)}";
        }

        reader.Skip();
        return null;
    }

    private static bool TryReadTimestamp(ref Utf8JsonReader reader, WireLimits limits, DateTimeOffset receivedAt, out long ms, out RejectReason reason, out string? problem)
    {
        ms = 0;
        reason = RejectReason.BadTimestamp;
        if (reader.TokenType == JsonTokenType.Number)
        {
            if (reader.TryGetInt64(out var whole))
            {
                ms = whole;
            }
            else if (reader.TryGetDouble(out var d) && double.IsFinite(d) && Math.Abs(d) < 1e15)
            {
                ms = (long)Math.Floor(d);
            }
            else
            {
                problem = "ts is not a usable number of epoch milliseconds";
                return false;
            }
        }
        else if (reader.TokenType == JsonTokenType.String && !reader.HasValueSequence && !reader.ValueIsEscaped && TryParseCanonicalUtc(reader.ValueSpan, out var fast))
        {
            ms = fast;
        }
        else if (reader.TokenType == JsonTokenType.String)
        {
            var text = reader.GetString()!;
            if (!TryParseRfc3339(text, out var parsed))
            {
                problem = $"ts '{Topics.Truncate(text, 40)}' is not RFC 3339 with a zone (e.g. 2026-11-24T02:00:00.000Z) nor epoch milliseconds";
                return false;
            }

            ms = parsed.ToUnixTimeMilliseconds();
        }
        else
        {
            problem = $"ts must be an RFC 3339 string or epoch milliseconds, not {Describe(reader.TokenType)}";
            reader.Skip();
            return false;
        }

        var minMs = limits.MinTimestamp.ToUnixTimeMilliseconds();
        var maxMs = limits.MaxTimestamp.ToUnixTimeMilliseconds();
        if (ms < minMs)
        {
            problem = ms is > 0 and < 100_000_000_000
                ? $"ts {ms} is before {limits.MinTimestamp:yyyy-MM-dd}: epoch seconds sent where milliseconds are expected?"
                : $"ts {ms} is before {limits.MinTimestamp:yyyy-MM-dd}";
            return false;
        }

        if (ms > maxMs)
        {
            problem = $"ts {ms} is after {limits.MaxTimestamp:yyyy-MM-dd}";
            return false;
        }

        if (limits.MaxFutureSkew is { } skew && ms > (receivedAt + skew).ToUnixTimeMilliseconds())
        {
            reason = RejectReason.ClockSkew;
            problem = $"ts {DateTimeOffset.FromUnixTimeMilliseconds(ms):O} is more than {skew.TotalMinutes:0} min ahead of the receive time {receivedAt:O}";
            return false;
        }

        problem = null;
        return true;
    }

    /// <summary>
    /// The form every encoder here writes, <c>yyyy-MM-ddTHH:mm:ss[.f{1,7}]Z</c>, read straight from UTF-8 without a
    /// string. Anything else (offsets, lower-case letters, odd digits) returns false and takes <see cref="TryParseRfc3339(string, out DateTimeOffset)"/>,
    /// which accepts the same instants, so the result never depends on the path.
    /// </summary>
    internal static bool TryParseCanonicalUtc(ReadOnlySpan<byte> s, out long ms)
    {
        ms = 0;
        if (s.Length < 20 || s.Length > 28 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[^1] != 'Z')
        {
            return false;
        }

        if (!Digits(s, 0, 4, out var year) || !Digits(s, 5, 2, out var month) || !Digits(s, 8, 2, out var day)
            || !Digits(s, 11, 2, out var hour) || !Digits(s, 14, 2, out var minute) || !Digits(s, 17, 2, out var second))
        {
            return false;
        }

        long fractionTicks = 0;
        if (s.Length > 20)
        {
            // '.' and 1 to 7 digits, as the 'FFFFFFF' format takes them.
            var digits = s.Length - 21;
            if (s[19] != '.' || digits < 1 || !Digits(s, 20, digits, out var fraction))
            {
                return false;
            }

            fractionTicks = fraction;
            for (var i = digits; i < 7; i++)
            {
                fractionTicks *= 10;
            }
        }
        else if (s[19] != 'Z')
        {
            return false;
        }

        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        var ticks = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc).Ticks + fractionTicks;
        ms = new DateTimeOffset(ticks, TimeSpan.Zero).ToUnixTimeMilliseconds();
        return true;

        static bool Digits(ReadOnlySpan<byte> s, int start, int count, out int value)
        {
            value = 0;
            for (var i = start; i < start + count; i++)
            {
                var d = s[i] - (byte)'0';
                if ((uint)d > 9)
                {
                    return false;
                }

                value = (value * 10) + d;
            }

            return true;
        }
    }

    private static readonly string[] Rfc3339Formats =
    [
        "yyyy-MM-dd'T'HH:mm:ssK",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
    ];

    /// <summary>RFC 3339 date-time with an explicit zone (<c>Z</c> or <c>±hh:mm</c>); a time without a zone is refused, not guessed.</summary>
    public static bool TryParseRfc3339(string text, out DateTimeOffset value)
    {
        value = default;
        if (text.Length < 20 || text.Length > 40)
        {
            return false;
        }

        var last = text[^1];
        var hasZone = last is 'Z' or 'z' || (text.Length > 6 && text[^3] == ':' && text[^6] is '+' or '-');
        if (!hasZone)
        {
            return false;
        }

        var normalized = last == 'z' ? text[..^1] + "Z" : text;
        normalized = normalized.Length > 10 && normalized[10] is 't' or ' ' ? string.Concat(normalized.AsSpan(0, 10), "T", normalized.AsSpan(11)) : normalized;
        return DateTimeOffset.TryParseExact(normalized, Rfc3339Formats, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out value);
    }

    private static DecodeResult<Nameplate> ReadNameplate(ref Utf8JsonReader reader, WireLimits limits)
    {
        var f = ReadFlat(ref reader, limits, "nameplate", "modality", "vendor", "model", "serial", "installed", "software");
        if (f.Refusal is { } refusal)
        {
            return DecodeResult<Nameplate>.Invalid(refusal.Reason, refusal.Detail);
        }

        var (modality, vendor, model, serial, installed, software) = (f.Values[0], f.Values[1], f.Values[2], f.Values[3], f.Values[4], f.Values[5]);
        var problem = f.Problem;
        if (problem is not null)
        {
            return DecodeResult<Nameplate>.Invalid(RejectReason.InvalidField, problem);
        }

        if (modality is null)
        {
            return DecodeResult<Nameplate>.Invalid(RejectReason.MissingField, "modality is missing");
        }

        if (!ModalityNames.TryParse(modality, out var mod))
        {
            return DecodeResult<Nameplate>.Invalid(RejectReason.UnknownModality, $"modality '{Topics.Truncate(modality)}' is not mri, ct or xray");
        }

        if (string.IsNullOrWhiteSpace(vendor) || string.IsNullOrWhiteSpace(model))
        {
            return DecodeResult<Nameplate>.Invalid(RejectReason.MissingField, "vendor and model are required");
        }

        foreach (var (field, value) in new[] { ("vendor", vendor), ("model", model), ("serial", serial), ("installed", installed), ("software", software) })
        {
            if (value is not null && value.Length > limits.MaxSourceLength)
            {
                return DecodeResult<Nameplate>.Invalid(RejectReason.InvalidField, $"{field} is longer than {limits.MaxSourceLength} characters");
            }
        }

        if (installed is not null && !DateOnly.TryParseExact(installed, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _) && !TryParseRfc3339(installed, out _))
        {
            return DecodeResult<Nameplate>.Invalid(RejectReason.InvalidField, $"installed '{Topics.Truncate(installed)}' is not a date (yyyy-MM-dd)");
        }

        return DecodeResult<Nameplate>.Valid(new Nameplate(mod, vendor, model, serial, installed, software));
    }

    private static DecodeResult<DeviceStatus> ReadStatus(ref Utf8JsonReader reader, WireLimits limits)
    {
        var f = ReadFlat(ref reader, limits, "status", "state");
        if (f.Refusal is { } refusal)
        {
            return DecodeResult<DeviceStatus>.Invalid(refusal.Reason, refusal.Detail);
        }

        var (state, ts, problem) = (f.Values[0], f.Ts, f.Problem ?? f.TsProblem);
        if (problem is not null)
        {
            return DecodeResult<DeviceStatus>.Invalid(RejectReason.InvalidField, problem);
        }

        return state switch
        {
            "online" => DecodeResult<DeviceStatus>.Valid(new DeviceStatus(true, ts)),
            "offline" => DecodeResult<DeviceStatus>.Valid(new DeviceStatus(false, ts)),
            null => DecodeResult<DeviceStatus>.Invalid(RejectReason.MissingField, "state is missing"),
            _ => DecodeResult<DeviceStatus>.Invalid(RejectReason.InvalidField, $"state '{Topics.Truncate(state)}' is not online or offline"),
        };
    }

    private static string? SkipAndDescribe(ref Utf8JsonReader reader)
    {
        var what = Describe(reader.TokenType);
        reader.Skip();
        return "(" + what + ")";
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };

    internal static bool IsValidIdentifier(string value, int maxLength, bool allowDotColon)
    {
        if (value.Length == 0 || value.Length > maxLength)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' || (allowDotColon && c == ':')))
            {
                return false;
            }
        }

        return true;
    }

    // ---- Encoding ----

    /// <summary>Encodes a logs batch; timestamps as RFC 3339 strings, or as epoch milliseconds when <paramref name="epochMillis"/> is set (smaller and faster).</summary>
    public static byte[] EncodeLogs(LogBatch batch, bool epochMillis = false)
    {
        var buffer = new ArrayBufferWriter<byte>(64 + batch.Records.Count * 80);
        WriteLogs(buffer, batch, epochMillis);
        return buffer.WrittenSpan.ToArray();
    }

    public static void WriteLogs(IBufferWriter<byte> output, LogBatch batch, bool epochMillis = false)
    {
        using var writer = new Utf8JsonWriter(output, new JsonWriterOptions { SkipValidation = true });
        writer.WriteStartObject();
        writer.WriteString("schema"u8, WireLimits.LogSchema);
        writer.WriteString("source"u8, batch.Source);
        writer.WriteNumber("seq"u8, batch.Seq);
        writer.WriteStartArray("records"u8);
        Span<byte> tsBuffer = stackalloc byte[32];
        foreach (var r in batch.Records)
        {
            writer.WriteStartObject();
            if (epochMillis)
            {
                writer.WriteNumber("ts"u8, r.TimestampMs);
            }
            else
            {
                var n = FormatRfc3339(r.TimestampMs, tsBuffer);
                writer.WriteString("ts"u8, tsBuffer[..n]);
            }

            if (r.Type == RecordType.Param)
            {
                writer.WriteString("type"u8, "param"u8);
                writer.WriteString("name"u8, r.Name);
                writer.WriteNumber("value"u8, r.Value);
            }
            else
            {
                writer.WriteString("type"u8, "event"u8);
                writer.WriteString("code"u8, r.Code);
                writer.WriteString("severity"u8, r.Severity.ToWire());
                if (r.Text is not null)
                {
                    writer.WriteString("text"u8, r.Text);
                }
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.Flush();
    }

    /// <summary>Writes <c>yyyy-MM-ddTHH:mm:ss.fffZ</c> as UTF-8 into <paramref name="destination"/> and returns its length (24).</summary>
    public static int FormatRfc3339(long timestampMs, Span<byte> destination)
    {
        var dt = DateTimeOffset.FromUnixTimeMilliseconds(timestampMs).UtcDateTime;
        dt.TryFormat(destination, out var written, "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        return written;
    }

    public static string FormatRfc3339(long timestampMs)
    {
        Span<byte> buffer = stackalloc byte[32];
        var n = FormatRfc3339(timestampMs, buffer);
        return Encoding.UTF8.GetString(buffer[..n]);
    }

    public static byte[] EncodeNameplate(Nameplate nameplate)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("modality"u8, nameplate.Modality.ToWire());
            writer.WriteString("vendor"u8, nameplate.Vendor);
            writer.WriteString("model"u8, nameplate.Model);
            WriteOptional(writer, "serial", nameplate.Serial);
            WriteOptional(writer, "installed", nameplate.Installed);
            WriteOptional(writer, "software", nameplate.Software);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static byte[] EncodeStatus(DeviceStatus status)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("state"u8, status.Online ? "online"u8 : "offline"u8);
            if (status.TimestampMs is { } ts)
            {
                writer.WriteString("ts"u8, FormatRfc3339(ts));
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteOptional(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }
}
