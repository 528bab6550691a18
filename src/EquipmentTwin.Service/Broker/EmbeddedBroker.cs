using System.Net;
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
public sealed partial class EmbeddedBroker(IOptions<MqttOptions> options, IngestPipeline pipeline, IHostApplicationLifetime lifetime, ILogger<EmbeddedBroker> logger) : IHostedService, IMqttPublisher, IAsyncDisposable
{
    private MqttServer? _server;

    public bool IsRunning => _server?.IsStarted == true;

    /// <summary>Port actually bound (useful when configured as 0).</summary>
    public int Port => options.Value.Port;

    public async Task<int> ConnectedClientsAsync() => _server is null ? 0 : (await _server.GetClientsAsync().ConfigureAwait(false)).Count;

    public MqttServer? Server => _server;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var serverOptions = new MqttServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(IPAddress.Parse(o.Bind))
            .WithDefaultEndpointPort(o.Port)
            .WithPersistentSessions()
            .WithMaxPendingMessagesPerClient(100_000)
            .Build();

        _server = new MqttServerFactory().CreateMqttServer(serverOptions);
        _server.ValidatingConnectionAsync += OnValidatingConnection;
        _server.InterceptingPublishAsync += OnInterceptingPublish;
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
        if (o.Username is { Length: > 0 } && (e.UserName != o.Username || e.Password != o.Password))
        {
            e.ReasonCode = MQTTnet.Protocol.MqttConnectReasonCode.BadUserNameOrPassword;
        }

        return Task.CompletedTask;
    }

    private async Task OnInterceptingPublish(InterceptingPublishEventArgs e)
    {
        // Messages the service itself injects carry no client id and are not for ingest.
        if (string.IsNullOrEmpty(e.ClientId) || e.ClientId == "twin-service")
        {
            return;
        }

        try
        {
            // Not e.CancellationToken: it can fire when the same client id reconnects, and a message that
            // reached the writer is stored anyway. Only a service shutdown abandons the wait.
            await pipeline.SubmitAsync(e.ApplicationMessage.Topic, e.ApplicationMessage.Payload, lifetime.ApplicationStopping).ConfigureAwait(false);
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
        await server.InjectApplicationMessage(new InjectedMqttApplicationMessage(message) { SenderClientId = "twin-service" }, cancellationToken).ConfigureAwait(false);
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Embedded MQTT broker listening on {Bind}:{Port}")]
    private partial void LogStarted(string bind, int port);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message from {ClientId} on {Topic} not stored; closing its connection so it is sent again")]
    private partial void LogNotStored(Exception ex, string clientId, string topic);
}
