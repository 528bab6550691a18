using System.Text.Json.Serialization;

namespace EquipmentTwin.Edge.Sources;

/// <summary>A rotated file as the status shows it: where it is, how far it was read, and whether it is still open (followed) or only watched.</summary>
public sealed record FollowedFile(
    [property: JsonPropertyName("file")] string File,
    [property: JsonPropertyName("position")] long Position,
    [property: JsonPropertyName("open")] bool Open);
