namespace EquipmentTwin.Core.WireFormat;

/// <summary>Static attributes of a device as published on its retained <c>nameplate</c> topic.</summary>
public sealed record Nameplate(
    Modality Modality,
    string Vendor,
    string Model,
    string? Serial,
    string? Installed,
    string? Software);

/// <summary>Connection state a device or its agent publishes on <c>status</c> (also its MQTT will).</summary>
public sealed record DeviceStatus(bool Online, long? TimestampMs);
