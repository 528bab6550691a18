using System.Text.Json.Serialization;

namespace EquipmentTwin.Edge.Sources;

/// <summary>One loss the agent could not prevent: which file, which bytes, why.</summary>
public sealed record LossEvent(
    [property: JsonPropertyName("device")] string Device,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("file")] string File,
    [property: JsonPropertyName("from")] long From,
    [property: JsonPropertyName("to")] long To,
    [property: JsonPropertyName("bytes")] long Bytes,
    [property: JsonPropertyName("reason")] string Reason,
    [property: JsonPropertyName("at")] string At);
