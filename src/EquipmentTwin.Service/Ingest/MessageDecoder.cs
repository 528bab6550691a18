using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Storage;

namespace EquipmentTwin.Service.Ingest;

/// <summary>
/// Turns one MQTT message into the items the store writes: the decoded value, or a quarantine entry with its reason.
/// Quarantine keeps the first <paramref name="quarantineHeadBytes"/> of a payload with its size and SHA-256, so a huge
/// payload costs kilobytes in the database and in <c>GET /api/quarantine</c>, and can still be matched to its source.
/// </summary>
public sealed class MessageDecoder(WireLimits limits, int quarantineHeadBytes = MessageDecoder.DefaultQuarantineHeadBytes)
{
    public const int DefaultQuarantineHeadBytes = 4096;

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
                    rejected = Quarantine(topic, logs.RecordErrors[0].Reason.ToWire(), DescribeRecordErrors(logs.RecordErrors, logs.Value.Records.Count), payload,
                        wholePayload: logs.Value.Records.Count == 0, logs.RecordErrors.Count, receivedAt);
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

    /// <summary>A payload that decoded but is refused for a reason only the service knows (e.g. a changed modality).</summary>
    public QuarantineItem Refuse(string topic, string reason, string detail, ReadOnlySequence<byte> payload, DateTimeOffset receivedAt) =>
        Quarantine(topic, reason, detail, payload, wholePayload: true, recordsRejected: 0, receivedAt);

    private QuarantineItem Quarantine(string topic, RejectReason reason, string detail, ReadOnlySequence<byte> payload, DateTimeOffset receivedAt) =>
        Quarantine(topic, reason.ToWire(), detail, payload, wholePayload: true, recordsRejected: 0, receivedAt);

    private QuarantineItem Quarantine(string topic, string reason, string detail, ReadOnlySequence<byte> payload, bool wholePayload, int recordsRejected, DateTimeOffset receivedAt)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var segment in payload)
        {
            sha.AppendData(segment.Span);
        }

        var head = payload.Slice(0, Math.Min(payload.Length, quarantineHeadBytes)).ToArray();
        return new QuarantineItem(topic, reason, detail, head, wholePayload, recordsRejected, receivedAt, payload.Length, Convert.ToHexStringLower(sha.GetHashAndReset()));
    }

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
