using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Service.Hosting;
using EquipmentTwin.Service.Ingest;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet.Server;

namespace EquipmentTwin.Service.Broker;

/// <summary>
/// The MQTTnet broker inside the service. Every publish on equipment/v1 is stored before the broker
/// acknowledges it (the interceptor awaits the commit), so a PUBACK means the data is on disk even though
/// broker and service share one process. If the store cannot take a message the publisher's connection is
/// closed without PUBACK and its client sends the message again.
/// </summary>
public sealed partial class EmbeddedBroker(IOptions<MqttOptions> options, IngestPipeline pipeline, IHostApplicationLifetime lifetime, ILogger<EmbeddedBroker> logger, IMeterFactory? meters = null) : IHostedService, IMqttPublisher, IAsyncDisposable
{
    /// <summary>Client id of the service's own messages; no client may connect under it.</summary>
    public const string ServiceClientId = "twin-service";

    private readonly ConcurrentDictionary<string, string> _users = new(StringComparer.Ordinal);
    private readonly Counter<long> _refusedCounter = (meters?.Create("EquipmentTwin.Broker") ?? new Meter("EquipmentTwin.Broker"))
        .CreateCounter<long>("equipmenttwin.broker.refused", description: "Publishes, subscriptions and connections the broker refused");
    private MqttServer? _server;
    private MqttAccessList? _access;
    private long _refusedPublishes;
    private long _refusedSubscriptions;
    private long _refusedConnections;
    private long _refusedOversize;

    /// <summary>Publishes refused: to another device's topic, to alerts/twin, or oversize.</summary>
    public long RefusedPublishes => Interlocked.Read(ref _refusedPublishes);

    public long RefusedSubscriptions => Interlocked.Read(ref _refusedSubscriptions);

    public long RefusedConnections => Interlocked.Read(ref _refusedConnections);
    /// <summary>Publishes refused because the payload was larger than <c>Mqtt:MaxPayloadBytes</c> (also counted in <see cref="RefusedPublishes"/>).</summary>
    public long RefusedOversize => Interlocked.Read(ref _refusedOversize);

    /// <summary>True when anyone on loopback may connect without credentials (demo mode).</summary>
    public bool Anonymous => _access is null && options.Value.Username is not { Length: > 0 };

    public bool IsRunning => _server?.IsStarted == true;

    /// <summary>Port actually bound (useful when configured as 0).</summary>
    public int Port => options.Value.Port;

    public async Task<int> ConnectedClientsAsync() => _server is null ? 0 : (await _server.GetClientsAsync().ConfigureAwait(false)).Count;

    public MqttServer? Server => _server;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        if (o.PasswordFile is { Length: > 0 } passwords)
        {
            _access = MqttAccessList.Load(passwords, o.AclFile);
            LogAccess(_access.Users, passwords, o.AclFile ?? "(none: every user may do anything)");
        }

        var bind = IPAddress.Parse(o.Bind);
        var serverOptions = new MqttServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointPort(o.Port)
            .WithPersistentSessions()
            .WithMaxPendingMessagesPerClient(100_000)
            .Build();
        // Listen on exactly the configured address: MQTTnet also opens [::] unless told not to.
        if (bind.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            serverOptions.DefaultEndpointOptions.BoundInterNetworkV6Address = bind;
            serverOptions.DefaultEndpointOptions.BoundInterNetworkAddress = IPAddress.None;
        }
        else
        {
            serverOptions.DefaultEndpointOptions.BoundInterNetworkAddress = bind;
            serverOptions.DefaultEndpointOptions.BoundInterNetworkV6Address = IPAddress.None;
        }

        _server = new MqttServerFactory().CreateMqttServer(serverOptions);
        _server.ValidatingConnectionAsync += OnValidatingConnection;
        _server.InterceptingPublishAsync += OnInterceptingPublish;
        _server.InterceptingSubscriptionAsync += OnInterceptingSubscription;
        await _server.StartAsync().ConfigureAwait(false);
        LogStarted(o.Bind, o.Port);
    }

    private Task OnValidatingConnection(ValidatingConnectionEventArgs e)
    {
        if (string.IsNullOrEmpty(e.ClientId))
        {
            // MQTT 5 lets the server name a client that sent none; 3.1.1 clients must send an id (docs/wire-format.md).
            e.AssignedClientIdentifier = "auto-" + Guid.NewGuid().ToString("N");
        }

        var o = options.Value;
        if (e.ClientId == ServiceClientId)
        {
            Refuse(ref _refusedConnections, "connect", e.ClientId, "reserved client id");
            e.ReasonCode = MQTTnet.Protocol.MqttConnectReasonCode.ClientIdentifierNotValid;
            return Task.CompletedTask;
        }

        if (_access is not null)
        {
            if (!_access.Authenticate(e.UserName, e.Password))
            {
                Refuse(ref _refusedConnections, "connect", e.ClientId, $"bad credentials for '{e.UserName}'");
                e.ReasonCode = MQTTnet.Protocol.MqttConnectReasonCode.BadUserNameOrPassword;
                return Task.CompletedTask;
            }
        }
        else if (o.Username is { Length: > 0 } && (e.UserName != o.Username || e.Password != o.Password))
        {
            Refuse(ref _refusedConnections, "connect", e.ClientId, "bad credentials");
            e.ReasonCode = MQTTnet.Protocol.MqttConnectReasonCode.BadUserNameOrPassword;
            return Task.CompletedTask;
        }

        _users[e.AssignedClientIdentifier ?? e.ClientId] = e.UserName ?? "";
        return Task.CompletedTask;
    }

    private Task OnInterceptingSubscription(InterceptingSubscriptionEventArgs e)
    {
        if (_access is not null && !_access.CanSubscribe(_users.GetValueOrDefault(e.ClientId, ""), e.ClientId, e.TopicFilter.Topic))
        {
            Refuse(ref _refusedSubscriptions, "subscribe", e.ClientId, e.TopicFilter.Topic);
            e.ProcessSubscription = false;
            e.Response.ReasonCode = MQTTnet.Protocol.MqttSubscribeReasonCode.NotAuthorized;
        }

        return Task.CompletedTask;
    }

    /// <summary>Refuses a publish no client may make: alerts and twin are the service's, other topics as the ACL says.</summary>
    private bool MayPublish(InterceptingPublishEventArgs e)
    {
        var topic = e.ApplicationMessage.Topic;
        if (topic.StartsWith(Topics.Prefix, StringComparison.Ordinal) && (topic.EndsWith("/alerts", StringComparison.Ordinal) || topic.EndsWith("/twin", StringComparison.Ordinal)))
        {
            return false;
        }

        return _access is null || _access.CanPublish(_users.GetValueOrDefault(e.ClientId, ""), e.ClientId, topic);
    }

    private void Refuse(ref long counter, string what, string clientId, string detail)
    {
        Interlocked.Increment(ref counter);
        _refusedCounter.Add(1, new KeyValuePair<string, object?>("kind", what));
        LogRefused(what, clientId, detail);
    }

    private async Task OnInterceptingPublish(InterceptingPublishEventArgs e)
    {
        // Messages the service itself injects carry no client id and are not for ingest.
        if (string.IsNullOrEmpty(e.ClientId) || e.ClientId == ServiceClientId)
        {
            return;
        }

        var size = e.ApplicationMessage.Payload.Length;
        if (size > options.Value.MaxPayloadBytes)
        {
            Interlocked.Increment(ref _refusedOversize);
            Refuse(ref _refusedPublishes, "oversize", e.ClientId, $"{e.ApplicationMessage.Topic}: {size} bytes, limit {options.Value.MaxPayloadBytes}");
            e.ProcessPublish = false;
            e.Response.ReasonCode = MQTTnet.Protocol.MqttPubAckReasonCode.QuotaExceeded;
            e.Response.ReasonString = $"payload larger than {options.Value.MaxPayloadBytes} bytes";
            return;
        }

        if (!MayPublish(e))
        {
            Refuse(ref _refusedPublishes, "publish", e.ClientId, e.ApplicationMessage.Topic);
            e.ProcessPublish = false;
            e.Response.ReasonCode = MQTTnet.Protocol.MqttPubAckReasonCode.NotAuthorized;
            return;
        }

        try
        {
            // Not e.CancellationToken: it can fire when the same client id reconnects, and a message that
            // reached the writer is stored anyway. Only a service shutdown abandons the wait.
            await pipeline.SubmitAsync(e.ApplicationMessage.Topic, e.ApplicationMessage.Payload, lifetime.ApplicationStopping, e.ClientId).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogNotStored(ex, e.ClientId, e.ApplicationMessage.Topic);
            e.ProcessPublish = false;
            e.CloseConnection = true;
        }
    }

    public async Task<bool> PublishAsync(string topic, byte[] payload, bool retain, CancellationToken cancellationToken)
    {
        if (_server is not { IsStarted: true } server)
        {
            return false;
        }

        var message = new MQTTnet.MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload)
            .WithQualityOfServiceLevel(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag(retain).Build();
        await server.InjectApplicationMessage(new InjectedMqttApplicationMessage(message) { SenderClientId = ServiceClientId }, cancellationToken).ConfigureAwait(false);
        return true;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is not null)
        {
            await _server.StopAsync().ConfigureAwait(false);
        }
    }

    public ValueTask DisposeAsync()
    {
        _server?.Dispose();
        return ValueTask.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused {What} from {ClientId}: {Detail}")]
    private partial void LogRefused(string what, string clientId, string detail);

    [LoggerMessage(Level = LogLevel.Information, Message = "Embedded broker: {Users} user(s) from {PasswordFile}, ACL {AclFile}")]
    private partial void LogAccess(int users, string passwordFile, string aclFile);

    [LoggerMessage(Level = LogLevel.Information, Message = "Embedded MQTT broker listening on {Bind}:{Port}")]
    private partial void LogStarted(string bind, int port);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message from {ClientId} on {Topic} not stored; closing its connection so it is sent again")]
    private partial void LogNotStored(Exception ex, string clientId, string topic);
}
