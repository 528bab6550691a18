using System.Net.Sockets;
using EquipmentTwin.Service.Broker;
using EquipmentTwin.Service.Security;
using EquipmentTwin.Testing;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace EquipmentTwin.Service.Tests;

/// <summary>The embedded broker enforces the generated credentials and ACLs; alerts and twin are the service's alone.</summary>
public sealed class BrokerSecurityTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private static async Task<IMqttClient> Connect(int port, string clientId, string? user = null, string? password = null)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var b = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId(clientId).WithProtocolVersion(MqttProtocolVersion.V500);
        if (user is not null)
        {
            b.WithCredentials(user, password);
        }

        var result = await client.ConnectAsync(b.Build());
        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            client.Dispose();
            throw new InvalidOperationException($"connect refused: {result.ResultCode}");
        }

        return client;
    }

    private static Task<MqttClientPublishResult> Publish(IMqttClient client, string topic, string payload, bool retain = false) =>
        client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithRetainFlag(retain).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());

    private static Dictionary<string, string> Secrets(string dir) =>
        File.ReadAllLines(Path.Combine(dir, "secrets.env")).Where(l => l.Contains('=') && !l.StartsWith('#')).ToDictionary(l => l[..l.IndexOf('=')], l => l[(l.IndexOf('=') + 1)..]);

    [Fact]
    public async Task A_device_publishing_to_another_devices_topic_is_refused_and_counted()
    {
        using var dir = new TempDirectory();
        var fleet = Path.Combine(dir.Path, "fleet.json");
        await File.WriteAllTextAsync(fleet, """{"sites":[{"id":"s1"}],"devices":[{"id":"mr-1","site":"s1"},{"id":"ct-1","site":"s1"}]}""");
        var creds = Path.Combine(dir.Path, "creds");
        CredentialsWriter.Write(new CredentialsRequest(fleet, creds, [("eve", Roles.Viewer)]));
        var secrets = Secrets(creds);
        await using var service = await ServiceFixture.StartAsync(extraArgs:
            ["--Mqtt:PasswordFile", Path.Combine(creds, "mosquitto", "passwd"), "--Mqtt:AclFile", Path.Combine(creds, "mosquitto", "acl")]);
        var broker = service.App.Services.GetRequiredService<EmbeddedBroker>();

        using var mr = await Connect(service.MqttPort, "mr-1", "mr-1", secrets["MQTT_PASSWORD_MR_1"]);
        var own = await Publish(mr, "equipment/v1/s1/mr-1/logs", InfluxStoreServiceTests.Batch("mr-1", 1));
        Assert.NotEqual(MqttClientPublishReasonCode.NotAuthorized, own.ReasonCode);
        var other = await Publish(mr, "equipment/v1/s1/ct-1/logs", InfluxStoreServiceTests.Batch("mr-1-as-ct", 1));
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, other.ReasonCode);
        var alert = await Publish(mr, "equipment/v1/s1/mr-1/alerts", "{}", retain: true);
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, alert.ReasonCode);

        var stats = await Eventually.HoldsAsync(service.StatsAsync, s => s.GetProperty("recordsAccepted").GetInt64() >= 1, Wait, "own publish stored");
        Assert.Equal(1, stats.GetProperty("batchesAccepted").GetInt64());
        Assert.Equal(2, broker.RefusedPublishes);

        using var site = await Connect(service.MqttPort, "agent-s1", "site-s1", secrets["MQTT_PASSWORD_SITE_S1"]);
        Assert.NotEqual(MqttClientPublishReasonCode.NotAuthorized, (await Publish(site, "equipment/v1/s1/ct-1/logs", InfluxStoreServiceTests.Batch("agent-s1", 1))).ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, (await Publish(site, "equipment/v1/s2/ct-9/logs", InfluxStoreServiceTests.Batch("agent-s1", 2))).ReasonCode);

        using var dashboard = await Connect(service.MqttPort, "dash", CredentialsWriter.DashboardUser, secrets["MQTT_PASSWORD_TWIN_DASHBOARD"]);
        var sub = await dashboard.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("equipment/v1/#", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, sub.Items.Single().ResultCode);
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, (await Publish(dashboard, "equipment/v1/s1/mr-1/logs", InfluxStoreServiceTests.Batch("dash", 1))).ReasonCode);

        await Assert.ThrowsAnyAsync<Exception>(() => Connect(service.MqttPort, "mr-1b", "mr-1", "wrong"));
        await Assert.ThrowsAnyAsync<Exception>(() => Connect(service.MqttPort, "anon"));
        Assert.Equal(2, broker.RefusedConnections);
        Assert.Equal(4, broker.RefusedPublishes);
    }

    [Fact]
    public async Task In_demo_mode_nobody_but_the_service_publishes_alerts_or_twin_even_retained()
    {
        await using var service = await ServiceFixture.StartAsync();
        var broker = service.App.Services.GetRequiredService<EmbeddedBroker>();
        using var rogue = await Connect(service.MqttPort, "rogue");
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, (await Publish(rogue, "equipment/v1/s1/mr-1/twin", """{"health":"ok"}""", retain: true)).ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, (await Publish(rogue, "equipment/v1/s1/mr-1/alerts", "{}")).ReasonCode);
        Assert.Equal(2, broker.RefusedPublishes);

        // Nothing retained: a new subscriber to the twin topic gets no message.
        using var reader = await Connect(service.MqttPort, "reader");
        var received = 0;
        reader.ApplicationMessageReceivedAsync += _ => { Interlocked.Increment(ref received); return Task.CompletedTask; };
        await reader.SubscribeAsync("equipment/v1/s1/mr-1/#");
        using var probe = await Connect(service.MqttPort, "probe");
        await Publish(probe, "equipment/v1/s1/mr-1/status", """{"online":true}""");
        await Eventually.HoldsAsync(() => Volatile.Read(ref received) >= 1, Wait, "the status message reaches the reader");
        Assert.Equal(1, Volatile.Read(ref received));

        await Assert.ThrowsAnyAsync<Exception>(() => Connect(service.MqttPort, EmbeddedBroker.ServiceClientId));
    }

    [Fact]
    public async Task Bound_to_127_0_0_1_the_broker_does_not_listen_on_ipv6()
    {
        await using var service = await ServiceFixture.StartAsync();
        using var v6 = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
        await Assert.ThrowsAsync<SocketException>(async () => await v6.ConnectAsync(System.Net.IPAddress.IPv6Loopback, service.MqttPort));
        using var v4 = await Connect(service.MqttPort, "v4");
        Assert.True(v4.IsConnected);
    }

    [Fact]
    public async Task Anonymous_broker_beyond_loopback_is_refused_at_start()
    {
        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => ServiceFixture.StartAsync(extraArgs: ["--mqtt-bind", "0.0.0.0"]));
        Assert.Contains("loopback", error.Message);
    }
}
