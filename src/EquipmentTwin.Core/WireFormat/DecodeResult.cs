using System.Diagnostics.CodeAnalysis;

namespace EquipmentTwin.Core.WireFormat;

/// <summary>Outcome of decoding one payload: a value, or the reason it was refused. Bad input is a result, never an exception.</summary>
public sealed class DecodeResult<T>
    where T : class
{
    private DecodeResult(T? value, RejectReason? reason, string? detail, IReadOnlyList<RecordError> recordErrors)
    {
        Value = value;
        Reason = reason;
        Detail = detail;
        RecordErrors = recordErrors;
    }

    public T? Value { get; }
    public RejectReason? Reason { get; }
    public string? Detail { get; }

    /// <summary>Records refused inside an otherwise valid payload; the value holds only the good ones.</summary>
    public IReadOnlyList<RecordError> RecordErrors { get; }

    [MemberNotNullWhen(true, nameof(Value))]
    [MemberNotNullWhen(false, nameof(Reason), nameof(Detail))]
    public bool IsValid => Value is not null;

    public static DecodeResult<T> Valid(T value, IReadOnlyList<RecordError>? recordErrors = null) =>
        new(value, null, null, recordErrors ?? []);

    public static DecodeResult<T> Invalid(RejectReason reason, string detail) => new(null, reason, detail, []);

    public override string ToString() => IsValid ? $"valid {Value}" : $"{Reason!.Value.ToWire()}: {Detail}";
}
