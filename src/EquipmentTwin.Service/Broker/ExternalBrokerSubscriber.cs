using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Service.Hosting;
using EquipmentTwin.Service.Ingest;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;
using Polly;

namespace EquipmentTwin.Service.Broker;

/// <summary>
/// Ingest from an external broker (Mosquitto, EMQX): a persistent-session subscriber on equipment/v1/+/+/#
/// at QoS 1 that acknowledges each message only after the store committed it. While the service is down
/// the broker keeps the session's messages; on reconnect it sends them again, and unacknowledged ones too.
/// </summary>
public sealed partial class ExternalBrokerSubscriber(
    IOptions<MqttOptions> options,
    IngestPipeline pipeline,
    [FromKeyedServices("mqtt-connect")] ResiliencePipeline connectPipeline,
    ILogger<ExternalBrokerSubscriber> logger) : BackgroundService, IMqttPublisher
{
    private IMqttClient? _client;

    public bool IsConnected => _client?.IsConnected == true;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(o.Host, o.Port)
            .WithClientId(o.ClientId)
            .WithCleanStart(false)
            .WithSessionExpiryInterval(7 * 24 * 3600)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(30));
        if (o.Username is { Length: > 0 })
        {
            builder.WithCredentials(o.Username, o.Password ?? (o.PasswordFromFile is { Length: > 0 } file ? File.ReadAllText(file).Trim() : null));
        }

        if (o.Tls)
        {
            builder.WithTlsOptions(t => t.UseTls());
        }

        var clientOptions = builder.Build();
        using var client = new MqttClientFactory().CreateMqttClient();
        _client = client;
        client.ApplicationMessageReceivedAsync += OnMessage;

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await connectPipeline.ExecuteAsync(async ct =>
                {
                    var result = await client.ConnectAsync(clientOptions, ct).ConfigureAwait(false);
                    if (!result.IsSessionPresent)
                    {
                        var subscribe = new MqttClientSubscribeOptionsBuilder()
                            .WithTopicFilter(f => f.WithTopic(Topics.IngestFilter).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce))
                            .Build();
                        await client.SubscribeAsync(subscribe, ct).ConfigureAwait(false);
                    }
                }, stoppingToken).ConfigureAwait(false);
                LogConnected(o.Host, o.Port);

                while (client.IsConnected && !stoppingToken.IsCancellationRequested)
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ConfigureAwait(false);
                }

                if (!stoppingToken.IsCancellationRequested)
                {
                    LogDisconnected(o.Host, o.Port);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                LogConnectFailed(ex, o.Host, o.Port);
            }
        }

        if (client.IsConnected)
        {
            await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), CancellationToken.None).ConfigureAwait(false);
        }
    }

    public async Task<bool> PublishAsync(string topic, byte[] payload, bool retain, CancellationToken cancellationToken)
    {
        if (_client is not { IsConnected: true } client)
        {
            return false;
        }

        var message = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag(retain).Build();
        var result = await client.PublishAsync(message, cancellationToken).ConfigureAwait(false);
        return result.IsSuccess;
    }

    private Task OnMessage(MqttApplicationMessageReceivedEventArgs e)
    {
        // Return at once so the next message is read while this one waits for the group commit.
        e.AutoAcknowledge = false;
        _ = StoreThenAckAsync(e);
        return Task.CompletedTask;
    }

    private async Task StoreThenAckAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        try
        {
            await pipeline.SubmitAsync(e.ApplicationMessage.Topic, e.ApplicationMessage.Payload, CancellationToken.None).ConfigureAwait(false);
            await e.AcknowledgeAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // No PUBACK: drop the connection so the broker sends the message again on reconnect.
            LogNotStored(ex, e.ApplicationMessage.Topic);
            if (_client is { IsConnected: true } c)
            {
                try
                {
                    await c.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.UnspecifiedError).Build(), CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception disconnectError)
                {
                    LogNotStored(disconnectError, "(disconnect)");
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Subscribed to the external broker {Host}:{Port}")]
    private partial void LogConnected(string host, int port);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost the external broker {Host}:{Port}; reconnecting")]
    private partial void LogDisconnected(string host, int port);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not connect to the external broker {Host}:{Port}")]
    private partial void LogConnectFailed(Exception ex, string host, int port);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message on {Topic} not stored; not acknowledged")]
    private partial void LogNotStored(Exception ex, string topic);
}
