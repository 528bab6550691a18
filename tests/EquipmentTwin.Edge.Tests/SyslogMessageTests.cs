using System.Text;
using EquipmentTwin.Edge.Sources;

namespace EquipmentTwin.Edge.Tests;

public class SyslogMessageTests
{
    [Fact]
    public void Rfc5424_message_gives_hostname_app_and_body()
    {
        Assert.True(SyslogMessage.TryParse("<134>1 2026-11-24T02:00:00.123Z ct-host ctlog 42 ID47 [exampleSDID@32473 iut=\"3\" eventID=\"10]11\"] [24-Nov-2026 02:00:00.123] PAR anode_heat_pct=34.2 %", out var m));

        Assert.Equal("ct-host", m.HostName);
        Assert.Equal("ctlog", m.AppName);
        Assert.Equal("[24-Nov-2026 02:00:00.123] PAR anode_heat_pct=34.2 %", m.Body);
    }

    [Fact]
    public void Rfc5424_without_structured_data_and_with_bom()
    {
        Assert.True(SyslogMessage.TryParse("<14>1 - host1 app1 - - - \uFEFF2026-11-24 02:00:00.000|PARAM|he_level_pct|70|%", out var m));
        Assert.Equal("2026-11-24 02:00:00.000|PARAM|he_level_pct|70|%", m.Body);
    }

    [Fact]
    public void Rfc3164_message_gives_hostname_tag_and_body()
    {
        Assert.True(SyslogMessage.TryParse("<13>Nov 24 02:00:00 xr-host xraylog[311]: 1795485601250;P;kv_actual_kv;81.3;kV;;", out var m));

        Assert.Equal("xr-host", m.HostName);
        Assert.Equal("xraylog", m.AppName);
        Assert.Equal("1795485601250;P;kv_actual_kv;81.3;kV;;", m.Body);
    }

    [Theory]
    [InlineData("")]
    [InlineData("no pri")]
    [InlineData("<999>1 x")]
    [InlineData("<13>Nov 24 02:00:00 hostonly")]
    public void Garbage_is_refused(string text) => Assert.False(SyslogMessage.TryParse(text, out _));

    [Fact]
    public void Tcp_framing_takes_octet_counted_and_newline_framed_messages()
    {
        var msg = "<13>Nov 24 02:00:00 h app: body";
        var bytes = Encoding.UTF8.GetBytes($"{Encoding.UTF8.GetByteCount(msg)} {msg}{msg}\n").ToList();

        Assert.True(SyslogListener.TryFrame(bytes, out var first));
        Assert.True(SyslogListener.TryFrame(bytes, out var second));
        Assert.False(SyslogListener.TryFrame(bytes, out _));
        Assert.Equal(msg, first);
        Assert.Equal(msg, second);
    }
}
