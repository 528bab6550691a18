using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Edge.Hosting;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Protocol;
using Polly;

namespace EquipmentTwin.Edge.Publishing;

/// <summary>
/// One small MQTT connection per device that carries its last will (<c>status</c> = offline, retained): MQTT allows
/// one will per connection, and the agent speaks for several devices. On each (re)connect it publishes the device's
/// nameplate and <c>{"state":"online"}</c>, both retained; on a graceful stop it publishes offline itself.
/// </summary>
public sealed partial class DeviceStatusLane(DeviceSettings device, Nameplate? nameplate, EdgeSettings settings, ResiliencePipeline connect, ILogger logger)
{
    private readonly string _site = device.Site ?? settings.Edge.Site;
    private volatile bool _connected;

    public string DeviceId => device.Id;
    public bool Connected => _connected;

    public async Task RunAsync(CancellationToken ct)
    {
        var statusTopic = Topics.Format(_site, device.Id, Channel.Status);
        var offline = WireCodec.EncodeStatus(new DeviceStatus(false, null));
        var clientId = (settings.Mqtt.ClientId is { Length: > 0 } id ? id : settings.Edge.Source) + "-" + device.Id;
        var options = MqttClientOptionsFactory.Build(settings.Mqtt, clientId, statusTopic, offline);
        using var client = new MqttClientFactory().CreateMqttClient();
        var lost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.DisconnectedAsync += _ =>
        {
            _connected = false;
            lost.TrySetResult();
            return Task.CompletedTask;
        };

        try
        {
            while (!ct.IsCancellationRequested)
            {
                lost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                await connect.ExecuteAsync(async t =>
                {
                    if (!client.IsConnected)
                    {
                        await client.ConnectAsync(options, t).ConfigureAwait(false);
                    }

                    if (nameplate is not null)
                    {
                        await PublishRetainedAsync(client, Topics.Format(_site, device.Id, Channel.Nameplate), WireCodec.EncodeNameplate(nameplate), t).ConfigureAwait(false);
                    }

                    await PublishRetainedAsync(client, statusTopic, WireCodec.EncodeStatus(new DeviceStatus(true, null)), t).ConfigureAwait(false);
                }, ct).ConfigureAwait(false);
                _connected = true;
                await lost.Task.WaitAsync(ct).ConfigureAwait(false);
                LogLost(device.Id);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }

        if (client.IsConnected)
        {
            try
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(3));
                await PublishRetainedAsync(client, statusTopic, offline, cts.Token).ConfigureAwait(false);
                await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), cts.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogStopFailed(ex, device.Id);
            }
        }
    }

    private static async Task PublishRetainedAsync(IMqttClient client, string topic, byte[] payload, CancellationToken ct)
    {
        var message = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag().Build();
        var result = await client.PublishAsync(message, ct).ConfigureAwait(false);
        if (!MqttPublisher.IsAcknowledged(result.ReasonCode))
        {
            throw new InvalidOperationException($"broker refused {topic}: {result.ReasonCode}");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Status connection of {Device} lost; reconnecting")]
    private partial void LogLost(string device);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not publish offline status of {Device} on stop")]
    private partial void LogStopFailed(Exception ex, string device);
}
