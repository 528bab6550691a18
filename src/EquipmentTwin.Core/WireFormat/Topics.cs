namespace EquipmentTwin.Core.WireFormat;

/// <summary>Builds and parses wire-format v1 topics.</summary>
public static class Topics
{
    public const string Prefix = "equipment/v1/";

    /// <summary>What the service subscribes to for ingest.</summary>
    public const string IngestFilter = "equipment/v1/+/+/#";

    public const int MaxSegmentLength = 64;

    public static string Format(string site, string deviceId, Channel channel) =>
        $"{Prefix}{site}/{deviceId}/{ChannelName(channel)}";

    public static string ChannelName(Channel channel) => channel switch
    {
        Channel.Logs => "logs",
        Channel.Nameplate => "nameplate",
        Channel.Status => "status",
        Channel.Maintenance => "maintenance",
        Channel.Alerts => "alerts",
        Channel.Twin => "twin",
        _ => throw new ArgumentOutOfRangeException(nameof(channel), channel, null),
    };

    /// <summary>True when <paramref name="segment"/> is a valid site or device id: <c>[A-Za-z0-9_-]{1,64}</c>.</summary>
    public static bool IsValidSegment(ReadOnlySpan<char> segment)
    {
        if (segment.Length is 0 or > MaxSegmentLength)
        {
            return false;
        }

        foreach (var c in segment)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    public static bool TryParse(string? topic, out TopicAddress address, out RejectReason reason, out string detail)
    {
        address = default;
        reason = RejectReason.InvalidTopic;
        if (topic is null || !topic.StartsWith(Prefix, StringComparison.Ordinal))
        {
            detail = $"topic '{Truncate(topic)}' does not start with '{Prefix}'";
            return false;
        }

        var parts = topic[Prefix.Length..].Split('/');
        if (parts.Length != 3)
        {
            detail = $"topic '{Truncate(topic)}' must be equipment/v1/{{site}}/{{deviceId}}/{{channel}}";
            return false;
        }

        if (!IsValidSegment(parts[0]))
        {
            detail = $"site '{Truncate(parts[0])}' must match [A-Za-z0-9_-]{{1,64}}";
            return false;
        }

        if (!IsValidSegment(parts[1]))
        {
            detail = $"device id '{Truncate(parts[1])}' must match [A-Za-z0-9_-]{{1,64}}";
            return false;
        }

        Channel channel;
        switch (parts[2])
        {
            case "logs": channel = Channel.Logs; break;
            case "nameplate": channel = Channel.Nameplate; break;
            case "status": channel = Channel.Status; break;
            case "maintenance": channel = Channel.Maintenance; break;
            case "alerts": channel = Channel.Alerts; break;
            case "twin": channel = Channel.Twin; break;
            default:
                reason = RejectReason.UnknownChannel;
                detail = $"channel '{Truncate(parts[2])}' is not one of logs, nameplate, status, maintenance, alerts, twin";
                return false;
        }

        address = new TopicAddress(parts[0], parts[1], channel);
        detail = "";
        return true;
    }

    internal static string Truncate(string? text, int max = 80) =>
        text is null ? "(null)" : text.Length <= max ? text : text[..max] + "…";
}
