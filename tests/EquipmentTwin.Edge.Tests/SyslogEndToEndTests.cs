using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using EquipmentTwin.Testing;

namespace EquipmentTwin.Edge.Tests;

public class SyslogEndToEndTests
{
    [Fact]
    public async Task Syslog_over_udp_and_tcp_is_parsed_with_the_senders_device_format()
    {
        using var dir = new TempDirectory("edge-syslog");
        await using var service = await TwinService.StartAsync(Path.Combine(dir.Path, "service"));
        var udpPort = FreeUdpPort();
        var tcpPort = TestPorts.Free();
        var config = new AgentConfig
        {
            DataDir = Path.Combine(dir.Path, "agent"),
            MqttPort = service.MqttPort,
            Syslog = new JsonObject { ["UdpPort"] = udpPort, ["TcpPort"] = tcpPort, ["Bind"] = "127.0.0.1", ["Devices"] = new JsonObject { ["ct-host"] = "ct-s1", ["mrlog"] = "mr-s1" } },
        }.SyslogOnly("ct-s1", "bracket").SyslogOnly("mr-s1", "pipe", "mri");
        await using var agent = await InProcessAgent.StartAsync(config.Write(Path.Combine(dir.Path, "edge.json")));
        using var status = new AgentStatus(config.HttpPort);
        await Eventually.HoldsAsync(status.GetAsync, s => s.GetProperty("connected").GetBoolean(), TimeSpan.FromSeconds(10), "agent up");
        // The listener binds UDP, then TCP: once TCP accepts, both are there.
        await Eventually.HoldsAsync(async () =>
        {
            using var probe = new TcpClient();
            try
            {
                await probe.ConnectAsync("127.0.0.1", tcpPort);
                return true;
            }
            catch (SocketException)
            {
                return false; // not listening yet: the sources start after the host
            }
        }, ok => ok, TimeSpan.FromSeconds(10), "syslog listening");

        using (var udp = new UdpClient())
        {
            for (var i = 0; i < 5; i++)
            {
                var msg = $"<134>1 2026-11-24T02:00:0{i}.000Z ct-host ctlog - - - [24-Nov-2026 02:00:0{i}.000] PAR anode_heat_pct={30 + i} %";
                await udp.SendAsync(Encoding.UTF8.GetBytes(msg), new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, udpPort));
            }
        }

        using (var tcp = new TcpClient())
        {
            await tcp.ConnectAsync("127.0.0.1", tcpPort);
            var stream = tcp.GetStream();
            for (var i = 0; i < 5; i++)
            {
                var msg = $"<13>Nov 24 02:00:0{i} mr-box mrlog[7]: 2026-11-24 01:00:0{i}.000|PARAM|he_level_pct|7{i}|%";
                var framed = i % 2 == 0 ? $"{Encoding.UTF8.GetByteCount(msg)} {msg}" : msg + "\n";
                await stream.WriteAsync(Encoding.UTF8.GetBytes(framed));
            }

            await stream.WriteAsync("<13>Nov 24 02:00:00 stranger app: x\n"u8.ToArray());
        }

        await Eventually.HoldsAsync(service.RecordsAcceptedAsync, n => n >= 10, TimeSpan.FromSeconds(20), "10 syslog records stored");
        Assert.Equal(5, (await service.GetJsonAsync("/api/devices/ct-s1")).GetProperty("recordsSinceStart").GetInt64());
        Assert.Equal(5, (await service.GetJsonAsync("/api/devices/mr-s1")).GetProperty("recordsSinceStart").GetInt64());
        await Eventually.HoldsAsync(status.GetAsync, s => s.GetProperty("syslogUnmatched").GetInt64() == 1, TimeSpan.FromSeconds(5), "the unknown sender counted");
    }

    private static int FreeUdpPort()
    {
        using var u = new UdpClient(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        return ((System.Net.IPEndPoint)u.Client.LocalEndPoint!).Port;
    }
}
