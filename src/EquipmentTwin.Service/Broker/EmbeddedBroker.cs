using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Service.Hosting;
using EquipmentTwin.Service.Ingest;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace EquipmentTwin.Service.Broker;

/// <summary>
/// The MQTTnet broker inside the service. Every publish on equipment/v1 is stored before the broker
/// acknowledges it, so a PUBACK means the data is on disk even though broker and service share one process.
/// A QoS 1 publish is decoded and queued for the writer at once, and its PUBACK is held in the connection's
/// send loop until the commit (<see cref="OnOutboundPacket"/>): the connection meanwhile reads its next
/// publishes, so one write can take several messages of one publisher. If the store cannot take a message
/// its PUBACK is never sent, the publisher's connection is closed and its client sends the message again.
/// </summary>
public sealed partial class EmbeddedBroker(IOptions<MqttOptions> options, IngestPipeline pipeline, IHostApplicationLifetime lifetime, ILogger<EmbeddedBroker> logger, IMeterFactory? meters = null) : IHostedService, IMqttPublisher, IAsyncDisposable
{
    /// <summary>Client id of the service's own messages; no client may connect under it.</summary>
    public const string ServiceClientId = "twin-service";

    /// <summary>QoS 1 publishes of one connection that may wait for their commit at once; the next one waits in the broker.</summary>
    public const int MaxAwaitingCommitPerConnection = 64;

    private readonly ConcurrentDictionary<string, string> _users = new(StringComparer.Ordinal);

    /// <summary>Per connection (keyed by the connection's own cancellation token, which MQTTnet passes to every interceptor of it).</summary>
    private readonly ConcurrentDictionary<CancellationToken, ConnectionAcks> _connections = new();
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
        _server.InterceptingInboundPacketAsync += OnInboundPacket;
        _server.InterceptingOutboundPacketAsync += OnOutboundPacket;
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

        if (_connections.TryGetValue(e.CancellationToken, out var connection) && connection.TakePublishId(out var packetId))
        {
            // QoS 1: the PUBACK waits in OnOutboundPacket. Back-pressure: a connection with many publishes awaiting their
            // commit reads no further until one is committed.
            await connection.Window.WaitAsync(lifetime.ApplicationStopping).ConfigureAwait(false);
            // SubmitAsync decodes before it first yields, so the payload (the broker's buffer) is read before this returns.
            var stored = pipeline.SubmitAsync(e.ApplicationMessage.Topic, e.ApplicationMessage.Payload, lifetime.ApplicationStopping);
            connection.Awaiting[packetId] = stored;
            _ = stored.ContinueWith(static (_, window) => ((SemaphoreSlim)window!).Release(), connection.Window, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
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

    /// <summary>Notes the packet id of an incoming QoS 1 publish; the publish interceptor, next on the same receive loop, takes it.</summary>
    private Task OnInboundPacket(InterceptingPacketEventArgs e)
    {
        if (e.Packet is MqttPublishPacket { QualityOfServiceLevel: MqttQualityOfServiceLevel.AtLeastOnce } publish && e.ClientId != ServiceClientId)
        {
            if (!_connections.TryGetValue(e.CancellationToken, out var connection))
            {
                connection = new ConnectionAcks();
                if (_connections.TryAdd(e.CancellationToken, connection))
                {
                    // The token is cancelled when the connection ends: its PUBACKs will never be sent.
                    var token = e.CancellationToken;
                    token.Register(() => _connections.TryRemove(token, out _));
                }
                else
                {
                    connection = _connections[e.CancellationToken];
                }
            }

            connection.NotePublish(publish.PacketIdentifier);
        }

        return Task.CompletedTask;
    }

    /// <summary>Holds a PUBACK until its message is committed; drops it and closes the connection if the store could not take it.</summary>
    private async Task OnOutboundPacket(InterceptingPacketEventArgs e)
    {
        if (e.Packet is not MqttPubAckPacket ack || !_connections.TryGetValue(e.CancellationToken, out var connection))
        {
            return;
        }

        if (connection.Failed)
        {
            // Acknowledgements go out in order: none after one that could not be given.
            e.ProcessPacket = false;
            return;
        }

        if (!connection.Awaiting.TryRemove(ack.PacketIdentifier, out var stored))
        {
            return;
        }

        try
        {
            await stored.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            connection.Failed = true;
            e.ProcessPacket = false;
            LogNotStored(ex, e.ClientId, $"packet {ack.PacketIdentifier}");
            _ = CloseAsync(e.ClientId);
        }
    }

    private async Task CloseAsync(string clientId)
    {
        try
        {
            if (_server is { } server)
            {
                await server.DisconnectClientAsync(clientId, new MqttServerClientDisconnectOptions { ReasonCode = MqttDisconnectReasonCode.UnspecifiedError }).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            LogCloseFailed(ex, clientId);
        }
    }

    /// <summary>QoS 1 publishes of one connection whose PUBACK waits for the commit.</summary>
    private sealed class ConnectionAcks
    {
        private int _publishId = -1;

        public ConcurrentDictionary<ushort, Task<IngestOutcome>> Awaiting { get; } = new();

        public SemaphoreSlim Window { get; } = new(MaxAwaitingCommitPerConnection, MaxAwaitingCommitPerConnection);

        /// <summary>Set once a message of this connection could not be stored: no later PUBACK is sent on it.</summary>
        public volatile bool Failed;

        public void NotePublish(ushort packetId) => Volatile.Write(ref _publishId, packetId);

        public bool TakePublishId(out ushort packetId)
        {
            var id = Interlocked.Exchange(ref _publishId, -1);
            packetId = (ushort)Math.Max(0, id);
            return id >= 0;
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closing the connection of {ClientId} failed")]
    private partial void LogCloseFailed(Exception ex, string clientId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message from {ClientId} on {Topic} not stored; closing its connection so it is sent again")]
    private partial void LogNotStored(Exception ex, string clientId, string topic);
}
