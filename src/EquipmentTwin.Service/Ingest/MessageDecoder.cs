using System.Buffers;
using System.Text;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Storage;

namespace EquipmentTwin.Service.Ingest;

/// <summary>Turns one MQTT message into the items the store writes: the decoded value, or a quarantine entry with its reason.</summary>
public sealed class MessageDecoder(WireLimits limits)
{
    public WireLimits Limits { get; } = limits;

    /// <summary>Null when the topic is not for ingest.</summary>
    public IngestItem? Decode(string topic, ReadOnlySequence<byte> payload, DateTimeOffset receivedAt)
    {
        if (!topic.StartsWith(Topics.Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        if (!Topics.TryParse(topic, out var address, out var reason, out var detail))
        {
            return Quarantine(topic, reason, detail, payload, receivedAt);
        }

        switch (address.Channel)
        {
            case Channel.Logs:
                var logs = WireCodec.DecodeLogs(payload, Limits, receivedAt);
                if (!logs.IsValid)
                {
                    return Quarantine(topic, logs.Reason.Value, logs.Detail, payload, receivedAt);
                }

                QuarantineItem? rejected = null;
                if (logs.RecordErrors.Count > 0)
                {
                    rejected = new QuarantineItem(topic, logs.RecordErrors[0].Reason.ToWire(), DescribeRecordErrors(logs.RecordErrors, logs.Value.Records.Count), payload.ToArray(),
                        WholePayload: logs.Value.Records.Count == 0, logs.RecordErrors.Count, receivedAt);
                }

                return new BatchItem(address.Site, address.DeviceId, logs.Value, receivedAt, rejected);

            case Channel.Nameplate:
                var nameplate = WireCodec.DecodeNameplate(payload, Limits);
                return nameplate.IsValid
                    ? new NameplateItem(address.Site, address.DeviceId, nameplate.Value, receivedAt)
                    : Quarantine(topic, nameplate.Reason.Value, nameplate.Detail, payload, receivedAt);

            case Channel.Status:
                var status = WireCodec.DecodeStatus(payload, Limits);
                return status.IsValid
                    ? new StatusItem(address.Site, address.DeviceId, status.Value, receivedAt)
                    : Quarantine(topic, status.Reason.Value, status.Detail, payload, receivedAt);

            case Channel.Maintenance:
                var maintenance = WireCodec.DecodeMaintenance(payload, Limits);
                return maintenance.IsValid
                    ? new MaintenanceItem(address.Site, address.DeviceId, maintenance.Value, receivedAt)
                    : Quarantine(topic, maintenance.Reason.Value, maintenance.Detail, payload, receivedAt);

            default:
                // alerts and twin are what the service itself publishes.
                return null;
        }
    }

    private static QuarantineItem Quarantine(string topic, RejectReason reason, string detail, ReadOnlySequence<byte> payload, DateTimeOffset receivedAt) =>
        new(topic, reason.ToWire(), detail, payload.ToArray(), WholePayload: true, RecordsRejected: 0, receivedAt);

    private static string DescribeRecordErrors(IReadOnlyList<RecordError> errors, int kept)
    {
        var sb = new StringBuilder();
        sb.Append(errors.Count).Append(" record(s) refused, ").Append(kept).Append(" kept: ");
        foreach (var e in errors.Take(10))
        {
            sb.Append('#').Append(e.Index).Append(' ').Append(e.Reason.ToWire()).Append(": ").Append(e.Detail).Append("; ");
        }

        if (errors.Count > 10)
        {
            sb.Append("and ").Append(errors.Count - 10).Append(" more");
        }

        return sb.ToString().TrimEnd(' ', ';');
    }
}
