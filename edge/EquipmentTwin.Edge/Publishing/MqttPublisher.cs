using EquipmentTwin.Edge.Hosting;
using EquipmentTwin.Edge.Queue;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Protocol;
using Polly;

namespace EquipmentTwin.Edge.Publishing;

/// <summary>
/// Publishes the journal's batches at QoS 1 over one persistent MQTT 5 session, with at most
/// <c>Mqtt:MaxInFlight</c> unacknowledged at a time, and acknowledges each to the journal on its PUBACK (the
/// journal's cursor moves only over a contiguous acknowledged head). After a reconnect (Polly: jittered exponential
/// backoff up to <c>Mqtt:ReconnectMaxDelaySeconds</c>, no attempt limit) it resends everything not yet acknowledged.
/// </summary>
public sealed partial class MqttPublisher(
    DiskJournal journal,
    EdgeSettings settings,
    IReadOnlyList<DeviceStatusLane> lanes,
    [FromKeyedServices("mqtt-connect")] ResiliencePipeline connect,
    TimeProvider time,
    ILogger<MqttPublisher> logger) : BackgroundService
{
    private volatile bool _connected;
    private long _published;
    private long _deadLettered;
    private long _reconnects;

    public bool Connected => _connected;
    public long Published => Interlocked.Read(ref _published);
    public long DeadLettered => Interlocked.Read(ref _deadLettered);
    public long Reconnects => Interlocked.Read(ref _reconnects);

    /// <summary>PUBACK codes that mean the broker took the message (no subscriber yet is still taken).</summary>
    public static bool IsAcknowledged(MqttClientPublishReasonCode code) =>
        code is MqttClientPublishReasonCode.Success or MqttClientPublishReasonCode.NoMatchingSubscribers;

    /// <summary>Codes that no resend can change: such a batch is moved to <c>dead-letter/</c> rather than block the queue forever.</summary>
    private static bool IsPermanent(MqttClientPublishReasonCode code) =>
        code is MqttClientPublishReasonCode.TopicNameInvalid or MqttClientPublishReasonCode.PayloadFormatInvalid or MqttClientPublishReasonCode.NotAuthorized;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var laneTasks = lanes.Select(l => Task.Run(() => l.RunAsync(stoppingToken), stoppingToken)).ToList();
        var clientId = settings.Mqtt.ClientId is { Length: > 0 } id ? id : settings.Edge.Source;
        var options = MqttClientOptionsFactory.Build(settings.Mqtt, clientId, null, null);
        using var client = new MqttClientFactory().CreateMqttClient();
        CancellationTokenSource? session = null;
        client.DisconnectedAsync += _ =>
        {
            _connected = false;
            try
            {
                Volatile.Read(ref session)?.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }

            return Task.CompletedTask;
        };

        var quickFailures = 0;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await connect.ExecuteAsync(async t =>
                {
                    if (!client.IsConnected)
                    {
                        await client.ConnectAsync(options, t).ConfigureAwait(false);
                    }
                }, stoppingToken).ConfigureAwait(false);
                _connected = true;
                Interlocked.Increment(ref _reconnects);
                LogConnected(settings.Mqtt.Host, settings.Mqtt.Port, journal.Stats().DepthBatches);
                var started = time.GetUtcNow();
                using (var s = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
                {
                    Volatile.Write(ref session, s);
                    if (!client.IsConnected)
                    {
                        s.Cancel();
                    }

                    try
                    {
                        await PumpAsync(client, s.Token).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                    {
                        LogSessionEnded(ex.Message);
                    }

                    Volatile.Write(ref session, null);
                }

                if (stoppingToken.IsCancellationRequested)
                {
                    break;
                }

                if (client.IsConnected)
                {
                    await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), CancellationToken.None).ConfigureAwait(false);
                }

                // A session that fails as soon as it starts (e.g. the broker refuses publishes) must not loop tightly.
                quickFailures = time.GetUtcNow() - started < TimeSpan.FromSeconds(5) ? quickFailures + 1 : 0;
                if (quickFailures > 0)
                {
                    var ms = Math.Min(settings.Mqtt.ReconnectMaxDelaySeconds * 1000.0, settings.Mqtt.ReconnectBaseDelayMs * Math.Pow(2, Math.Min(quickFailures, 16)));
                    await Task.Delay(TimeSpan.FromMilliseconds(ms * (0.5 + Random.Shared.NextDouble() / 2)), stoppingToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            journal.FlushCursor();
            await Task.WhenAll(laneTasks).ConfigureAwait(false);
            if (client.IsConnected)
            {
                try
                {
                    using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(3));
                    await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), cts.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    LogSessionEnded(ex.Message);
                }
            }

            _connected = false;
        }
    }

    private async Task PumpAsync(IMqttClient client, CancellationToken ct)
    {
        var after = journal.ResendFrom;
        using var slots = new SemaphoreSlim(settings.Mqtt.MaxInFlight);
        var inflight = new List<Task>();
        Exception? failure = null;
        try
        {
            while (!ct.IsCancellationRequested && Volatile.Read(ref failure) is null)
            {
                var added = journal.WaitForEntriesAsync(ct);
                if (!journal.TryGetNext(after, out var entry))
                {
                    journal.FlushCursor();
                    try
                    {
                        await added.WaitAsync(TimeSpan.FromSeconds(1), ct).ConfigureAwait(false);
                    }
                    catch (TimeoutException)
                    {
                    }

                    continue;
                }

                await slots.WaitAsync(ct).ConfigureAwait(false);
                after = entry.Ordinal;
                var (topic, payload) = journal.Read(entry);
                inflight.RemoveAll(t => t.IsCompleted);
                inflight.Add(PublishOneAsync(client, entry, topic, payload, slots, ex => Interlocked.CompareExchange(ref failure, ex, null), ct));
            }
        }
        finally
        {
            try
            {
                await Task.WhenAll(inflight).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // each publish reports its own failure below
            }

            journal.FlushCursor();
        }

        if (failure is not null)
        {
            throw failure;
        }

        ct.ThrowIfCancellationRequested();
    }

    private async Task PublishOneAsync(IMqttClient client, JournalEntry entry, string topic, ReadOnlyMemory<byte> payload, SemaphoreSlim slots, Action<Exception> fail, CancellationToken ct)
    {
        try
        {
            var message = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(new System.Buffers.ReadOnlySequence<byte>(payload))
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
            var result = await client.PublishAsync(message, ct).ConfigureAwait(false);
            if (result.ReasonCode == MqttClientPublishReasonCode.NoMatchingSubscribers && settings.Mqtt.RequireSubscriber)
            {
                // The broker took it but nobody subscribes: with an external broker this means it lost the service's session.
                fail(new InvalidOperationException($"no subscriber for seq {entry.Seq} on {topic}; kept and sent again (Mqtt:RequireSubscriber)"));
            }
            else if (IsAcknowledged(result.ReasonCode))
            {
                journal.Ack(entry);
                Interlocked.Increment(ref _published);
            }
            else if (IsPermanent(result.ReasonCode))
            {
                DeadLetter(entry, topic, payload, result.ReasonCode.ToString());
                journal.Ack(entry);
            }
            else
            {
                fail(new InvalidOperationException($"broker answered {result.ReasonCode} for seq {entry.Seq}"));
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            fail(ex);
        }
        finally
        {
            slots.Release();
        }
    }

    private void DeadLetter(JournalEntry entry, string topic, ReadOnlyMemory<byte> payload, string reason)
    {
        var dir = Path.Combine(settings.DataDir, "dead-letter");
        Directory.CreateDirectory(dir);
        File.WriteAllBytes(Path.Combine(dir, $"{entry.Seq}.json"), payload.ToArray());
        File.AppendAllText(Path.Combine(dir, "index.log"), $"{entry.Seq}\t{topic}\t{reason}\n");
        Interlocked.Increment(ref _deadLettered);
        LogDeadLetter(entry.Seq, topic, reason);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Connected to MQTT broker {Host}:{Port}; {Depth} batches to send")]
    private partial void LogConnected(string host, int port, int depth);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT session ended: {Reason}; unacknowledged batches will be sent again")]
    private partial void LogSessionEnded(string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Broker refused batch seq {Seq} on {Topic} for good ({Reason}); moved to dead-letter/")]
    private partial void LogDeadLetter(long seq, string topic, string reason);
}
