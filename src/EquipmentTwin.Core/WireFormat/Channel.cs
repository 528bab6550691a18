namespace EquipmentTwin.Core.WireFormat;

/// <summary>The last segment of a wire-format topic.</summary>
public enum Channel
{
    Logs,
    Nameplate,
    Status,
    Maintenance,
    Alerts,
    Twin,
}

/// <summary>Where a message was published: <c>equipment/v1/{site}/{deviceId}/{channel}</c>.</summary>
public readonly record struct TopicAddress(string Site, string DeviceId, Channel Channel)
{
    public override string ToString() => Topics.Format(Site, DeviceId, Channel);
}
