using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Core.Tests.WireFormat;

public class TopicsTests
{
    [Theory]
    [InlineData("equipment/v1/site-1/mri_01/logs", Channel.Logs)]
    [InlineData("equipment/v1/s/d/nameplate", Channel.Nameplate)]
    [InlineData("equipment/v1/s/d/maintenance", Channel.Maintenance)]
    public void Valid_topic_parses_into_site_device_and_channel(string topic, Channel channel)
    {
        Assert.True(Topics.TryParse(topic, out var address, out _, out _));
        Assert.Equal(channel, address.Channel);
        Assert.Equal(topic, address.ToString());
    }

    [Theory]
    [InlineData("other/v1/s/d/logs", RejectReason.InvalidTopic)]
    [InlineData("equipment/v1/s/d", RejectReason.InvalidTopic)]
    [InlineData("equipment/v1/s/d/logs/extra", RejectReason.InvalidTopic)]
    [InlineData("equipment/v1/bad site/d/logs", RejectReason.InvalidTopic)]
    [InlineData("equipment/v1/s/bad%20id/logs", RejectReason.InvalidTopic)]
    [InlineData("equipment/v1/s//logs", RejectReason.InvalidTopic)]
    [InlineData("equipment/v1/s/d/telemetry", RejectReason.UnknownChannel)]
    public void Invalid_topic_gives_its_specific_reason(string topic, RejectReason expected)
    {
        Assert.False(Topics.TryParse(topic, out _, out var reason, out var detail));
        Assert.Equal(expected, reason);
        Assert.False(string.IsNullOrWhiteSpace(detail));
    }

    [Fact]
    public void Segment_longer_than_64_characters_is_refused()
    {
        Assert.True(Topics.IsValidSegment(new string('a', 64)));
        Assert.False(Topics.IsValidSegment(new string('a', 65)));
    }
}
