using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Storage.Influx;

/// <summary>
/// How the time series sit in InfluxDB (docs/operations.md, "InfluxDB layout"). Readings: measurement
/// <c>telemetry</c>, one float field named after the signal, tags site, device, modality, component.
/// Events: measurement <c>events</c>, tags site, device, modality, component, code; fields severity
/// (integer) and text. Maintenance: measurement <c>maintenance</c>, tags site, device, modality, component,
/// action; fields text, engineer and recorded (always true, so a record without text still has a field).
/// Timestamps are written in nanoseconds: a reading at its millisecond, so a later reading of the same
/// signal at the same millisecond replaces it (SameMillisecondReadings); an event at its millisecond plus a
/// sub-millisecond offset from the batch seq and its position, so events that share a millisecond are all
/// kept and a redelivered batch overwrites itself instead of adding copies.
/// </summary>
public static class InfluxLayout
{
    public const string Telemetry = "telemetry";
    public const string Events = "events";
    public const string Maintenance = "maintenance";

    public const string SiteTag = "site";
    public const string DeviceTag = "device";
    public const string ModalityTag = "modality";
    public const string ComponentTag = "component";
    public const string CodeTag = "code";
    public const string ActionTag = "action";

    /// <summary>Tag keys: a signal may not be named like one (a field and a tag of one name are ambiguous in InfluxQL).</summary>
    public static readonly IReadOnlySet<string> TagKeys = new HashSet<string>(StringComparer.Ordinal) { SiteTag, DeviceTag, ModalityTag, ComponentTag, CodeTag, ActionTag, "time" };

    private const long NanosPerMs = 1_000_000;

    /// <summary>Answers the component of a signal or event code for a modality (from the signal catalog); null when unknown.</summary>
    public delegate string? ComponentLookup(Modality? modality, string nameOrCode, bool isEvent);

    public static long ReadingTime(long timestampMs) => checked(timestampMs * NanosPerMs);

    /// <summary>Sub-millisecond offset: (seq mod 1000) µs + the event's rank among the batch's events of the same code and millisecond.</summary>
    public static long EventTime(long timestampMs, long seq, int rank) => checked(timestampMs * NanosPerMs + (seq % 1000 + 1000) % 1000 * 1000 + Math.Min(rank, 999));

    public static void AppendBatch(LineProtocolWriter w, string site, string device, Modality? modality, LogBatch batch, ComponentLookup components)
    {
        var modalityTag = modality?.ToWire();
        Dictionary<(string, long), int>? eventRanks = null;
        foreach (var r in batch.Records)
        {
            if (r.Type == RecordType.Param)
            {
                if (TagKeys.Contains(r.Name!))
                {
                    // Reserved: stored under a prefixed field so the line is not refused.
                    w.Measurement(Telemetry).Tag(ComponentTag, components(modality, r.Name!, false)).Tag(DeviceTag, device).Tag(ModalityTag, modalityTag).Tag(SiteTag, site)
                        .Field("signal_" + r.Name, r.Value).Timestamp(ReadingTime(r.TimestampMs));
                    continue;
                }

                w.Measurement(Telemetry).Tag(ComponentTag, components(modality, r.Name!, false)).Tag(DeviceTag, device).Tag(ModalityTag, modalityTag).Tag(SiteTag, site)
                    .Field(r.Name!, r.Value).Timestamp(ReadingTime(r.TimestampMs));
            }
            else
            {
                eventRanks ??= new Dictionary<(string, long), int>();
                var key = (r.Code!, r.TimestampMs);
                var rank = eventRanks.GetValueOrDefault(key);
                eventRanks[key] = rank + 1;
                w.Measurement(Events).Tag(CodeTag, r.Code).Tag(ComponentTag, components(modality, r.Code!, true)).Tag(DeviceTag, device).Tag(ModalityTag, modalityTag).Tag(SiteTag, site)
                    .Field("severity", (long)r.Severity);
                if (r.Text is not null)
                {
                    w.Field("text", r.Text);
                }

                w.Timestamp(EventTime(r.TimestampMs, batch.Seq, rank));
            }
        }
    }

    public static void AppendMaintenance(LineProtocolWriter w, string site, string device, Modality? modality, MaintenanceRecord m)
    {
        w.Measurement(Maintenance).Tag(ActionTag, m.Action.ToWire()).Tag(ComponentTag, m.Component).Tag(DeviceTag, device).Tag(ModalityTag, modality?.ToWire()).Tag(SiteTag, site)
            .Field("recorded", true);
        if (m.Text is not null)
        {
            w.Field("text", m.Text);
        }

        if (m.Engineer is not null)
        {
            w.Field("engineer", m.Engineer);
        }

        w.Timestamp(ReadingTime(m.TimestampMs));
    }

    /// <summary>An InfluxQL identifier in double quotes.</summary>
    public static string Identifier(string name) => "\"" + name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    /// <summary>An InfluxQL string literal in single quotes.</summary>
    public static string Literal(string value) => "'" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";

    /// <summary>The field a signal is stored under.</summary>
    public static string FieldOf(string signal) => TagKeys.Contains(signal) ? "signal_" + signal : signal;
}
