using System.Text;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Simulator.Simulation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;
using MQTTnet.Protocol;

namespace EquipmentTwin.Simulator.Output;

/// <summary>Settings of live mode.</summary>
public sealed record LivePublishOptions
{
    public string Host { get; init; } = "127.0.0.1";
    public int Port { get; init; } = 1883;

    /// <summary>Event time per wall time: 1 = real time, 3600 = an hour of event time per second.</summary>
    public double Acceleration { get; init; } = 3600;

    /// <summary>Most records in one <c>logs</c> message.</summary>
    public int MaxBatchRecords { get; init; } = 500;

    /// <summary>Seq of each device's first batch; later batches count up from it.</summary>
    public long FirstSeq { get; init; } = 1;
}

/// <summary>Counts of a live run.</summary>
public sealed record LiveRunSummary(long Batches, long Records, long MaintenanceRecords);

/// <summary>
/// Live mode: publishes the simulator's stream over MQTT as wire-format v1, one client per device
/// (client id <c>sim-{deviceId}</c>, persistent session, last will = retained <c>offline</c> status), paced so
/// event time runs at <see cref="LivePublishOptions.Acceleration"/> × the wall clock of <see cref="TimeProvider"/>.
/// </summary>
public sealed partial class LiveFleetPublisher(FleetSimulator simulator, LivePublishOptions options, TimeProvider time, ILogger? logger = null)
{
    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    public async Task<LiveRunSummary> RunAsync(CancellationToken cancellationToken)
    {
        if (!(options.Acceleration > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "acceleration must be positive");
        }

        var devices = simulator.Devices;
        var factory = new MqttClientFactory();
        var clients = new IMqttClient[devices.Count];
        var seqs = new long[devices.Count];
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        long batches = 0, records = 0, maintenance = 0;
        try
        {
            for (var i = 0; i < devices.Count; i++)
            {
                var d = devices[i];
                index[d.Id] = i;
                seqs[i] = options.FirstSeq;
                clients[i] = factory.CreateMqttClient();
                var mqtt = new MqttClientOptionsBuilder()
                    .WithTcpServer(options.Host, options.Port)
                    .WithClientId("sim-" + d.Id)
                    .WithCleanStart(false)
                    .WithSessionExpiryInterval(3600)
                    .WithWillTopic(Topics.Format(d.Site, d.Id, Channel.Status))
                    .WithWillPayload(WireCodec.EncodeStatus(new DeviceStatus(false, null)))
                    .WithWillRetain(true)
                    .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                    .Build();
                await ConnectAsync(clients[i], mqtt, d.Id, cancellationToken).ConfigureAwait(false);
                await PublishAsync(clients[i], Topics.Format(d.Site, d.Id, Channel.Nameplate), WireCodec.EncodeNameplate(d.ToNameplate()), retain: true, cancellationToken).ConfigureAwait(false);
                await PublishAsync(clients[i], Topics.Format(d.Site, d.Id, Channel.Status), WireCodec.EncodeStatus(new DeviceStatus(true, simulator.StartMs)), retain: true, cancellationToken).ConfigureAwait(false);
            }

            LogStarted(devices.Count, options.Host, options.Port, options.Acceleration, simulator.Start);
            var wallStart = time.GetUtcNow();
            var pending = new List<Outgoing>();
            long tick = long.MinValue;
            foreach (var step in simulator.Run())
            {
                if (step.FromMs != tick && pending.Count > 0)
                {
                    (batches, records, maintenance) = Add(await FlushTickAsync(pending, clients, wallStart, cancellationToken).ConfigureAwait(false), batches, records, maintenance);
                }

                tick = step.FromMs;
                var i = index[step.Device.Id];
                var d = step.Device;
                for (var from = 0; from < step.Records.Count; from += options.MaxBatchRecords)
                {
                    var n = Math.Min(options.MaxBatchRecords, step.Records.Count - from);
                    var slice = new LogRecord[n];
                    for (var k = 0; k < n; k++)
                    {
                        slice[k] = step.Records[from + k];
                    }

                    var payload = WireCodec.EncodeLogs(new LogBatch("sim-" + d.Id, seqs[i]++, slice));
                    pending.Add(new Outgoing(slice[^1].TimestampMs, i, Topics.Format(d.Site, d.Id, Channel.Logs), payload, n, false));
                }

                foreach (var m in step.Maintenance)
                {
                    pending.Add(new Outgoing(m.TimestampMs, i, Topics.Format(d.Site, d.Id, Channel.Maintenance), WireCodec.EncodeMaintenance(m), 0, true));
                }
            }

            (batches, records, maintenance) = Add(await FlushTickAsync(pending, clients, wallStart, cancellationToken).ConfigureAwait(false), batches, records, maintenance);
            for (var i = 0; i < devices.Count; i++)
            {
                var d = devices[i];
                await PublishAsync(clients[i], Topics.Format(d.Site, d.Id, Channel.Status), WireCodec.EncodeStatus(new DeviceStatus(false, simulator.EndMs)), retain: true, cancellationToken).ConfigureAwait(false);
            }

            LogFinished(batches, records, maintenance);
            return new LiveRunSummary(batches, records, maintenance);
        }
        finally
        {
            foreach (var c in clients)
            {
                if (c is null)
                {
                    continue;
                }

                try
                {
                    if (c.IsConnected)
                    {
                        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                        // Stopped before the end: leave with the will, so the retained status says offline.
                        var reason = cancellationToken.IsCancellationRequested ? MqttClientDisconnectOptionsReason.DisconnectWithWillMessage : MqttClientDisconnectOptionsReason.NormalDisconnection;
                        await c.DisconnectAsync(new MqttClientDisconnectOptions { Reason = reason }, cts.Token).ConfigureAwait(false);
                    }
                }
                catch (Exception ex) when (ex is OperationCanceledException or MQTTnet.Exceptions.MqttCommunicationException or InvalidOperationException)
                {
                    LogDisconnectFailed(ex.Message);
                }

                c.Dispose();
            }
        }
    }

    private static (long, long, long) Add((long B, long R, long M) x, long b, long r, long m) => (b + x.B, r + x.R, m + x.M);

    /// <summary>Publishes one tick's messages in event-time order, each when the paced clock reaches its last record.</summary>
    private async Task<(long, long, long)> FlushTickAsync(List<Outgoing> pending, IMqttClient[] clients, DateTimeOffset wallStart, CancellationToken ct)
    {
        pending.Sort((a, b) => a.DueMs != b.DueMs ? a.DueMs.CompareTo(b.DueMs) : a.Device.CompareTo(b.Device));
        long batches = 0, records = 0, maintenance = 0;
        foreach (var o in pending)
        {
            var due = wallStart + TimeSpan.FromMilliseconds((o.DueMs - simulator.StartMs) / options.Acceleration);
            var wait = due - time.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, time, ct).ConfigureAwait(false);
            }

            await PublishAsync(clients[o.Device], o.Topic, o.Payload, retain: false, ct).ConfigureAwait(false);
            if (o.Maintenance)
            {
                maintenance++;
            }
            else
            {
                batches++;
                records += o.Records;
            }
        }

        pending.Clear();
        return (batches, records, maintenance);
    }

    private async Task ConnectAsync(IMqttClient client, MqttClientOptions mqtt, string deviceId, CancellationToken ct)
    {
        // The broker may still be starting (twin serve --simulate): retry with exponential backoff, capped at 5 s.
        var delay = TimeSpan.FromMilliseconds(100);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await client.ConnectAsync(mqtt, ct).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogConnectRetry(deviceId, attempt, ex.Message);
                await Task.Delay(delay, time, ct).ConfigureAwait(false);
                delay = TimeSpan.FromMilliseconds(Math.Min(5000, delay.TotalMilliseconds * 2));
            }
        }
    }

    private static async Task PublishAsync(IMqttClient client, string topic, byte[] payload, bool retain, CancellationToken ct)
    {
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag(retain)
            .Build();
        var result = await client.PublishAsync(message, ct).ConfigureAwait(false);
        if (!result.IsSuccess)
        {
            throw new InvalidOperationException($"publish to {topic} was refused: {result.ReasonCode} {result.ReasonString}");
        }
    }

    private sealed record Outgoing(long DueMs, int Device, string Topic, byte[] Payload, int Records, bool Maintenance);

    [LoggerMessage(Level = LogLevel.Information, Message = "Simulating {Devices} device(s) live to {Host}:{Port} at {Acceleration}x from event time {Start:O}")]
    private partial void LogStarted(int devices, string host, int port, double acceleration, DateTimeOffset start);

    [LoggerMessage(Level = LogLevel.Information, Message = "Simulation finished: {Batches} batches, {Records} records, {Maintenance} maintenance records")]
    private partial void LogFinished(long batches, long records, long maintenance);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Connect of sim-{DeviceId} failed (attempt {Attempt}): {Reason}; retrying")]
    private partial void LogConnectRetry(string deviceId, int attempt, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Disconnect failed: {Reason}")]
    private partial void LogDisconnectFailed(string reason);
}
