namespace EquipmentTwin.Core.WireFormat;

/// <summary>Why a payload or one of its records was refused. Stable names: they are stored in quarantine and shown by the API.</summary>
public enum RejectReason
{
    InvalidTopic,
    UnknownChannel,
    PayloadTooLarge,
    MalformedJson,
    SchemaMismatch,
    MissingField,
    InvalidField,
    BadTimestamp,
    ClockSkew,
    UnknownModality,
    TooManyRecords,
}

public static class RejectReasonNames
{
    /// <summary>The reason as written in quarantine and the API: kebab case, e.g. <c>bad-timestamp</c>.</summary>
    public static string ToWire(this RejectReason reason) => reason switch
    {
        RejectReason.InvalidTopic => "invalid-topic",
        RejectReason.UnknownChannel => "unknown-channel",
        RejectReason.PayloadTooLarge => "payload-too-large",
        RejectReason.MalformedJson => "malformed-json",
        RejectReason.SchemaMismatch => "schema-mismatch",
        RejectReason.MissingField => "missing-field",
        RejectReason.InvalidField => "invalid-field",
        RejectReason.BadTimestamp => "bad-timestamp",
        RejectReason.ClockSkew => "clock-skew",
        RejectReason.UnknownModality => "unknown-modality",
        RejectReason.TooManyRecords => "too-many-records",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, null),
    };
}
