using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using EquipmentTwin.Cli.Commands;
using EquipmentTwin.Cli.Progress;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Service.Hosting;
using MQTTnet;
using MQTTnet.Protocol;

namespace EquipmentTwin.Cli.Bench;

/// <summary>Options of <c>twin bench latency</c>.</summary>
public sealed record LatencyBenchOptions(int Devices, int Warmup, int TimeoutSeconds, bool Json);

/// <summary>
/// <c>twin bench latency</c>: the real service in-process on loopback (embedded broker, SQLite in a temp folder,
/// analytics on with the shipped rules). Fusion opens alerts when a device's event-time hour closes, so per CT
/// device, one after the other: its nameplate; the history, one <c>CT-TUB-102</c> event half an hour before the
/// current hour (rule <c>ct-tube-arc-shutdown</c> fires on one such event); then the decisive record, one normal
/// <c>tube_oil_temp_c</c> reading stamped now, which closes that hour, published at QoS 1. Timed from just before that
/// publish until the alert for that device arrives on <c>equipment/v1/{site}/{device}/alerts</c>. The baseline in
/// the same run: the publish-to-PUBACK time of the same record (the service acknowledges after the store commit),
/// so the ratio shows what analytics and alerting add.
/// </summary>
public static class LatencyBench
{
    internal const string Site = "bench";
    internal const string Rule = "ct-tube-arc-shutdown";
    internal const string Code = "CT-TUB-102";
    internal const string Signal = "tube_oil_temp_c";
    private const long HourMs = 3_600_000;

    public static async Task<int> RunAsync(LatencyBenchOptions o, TextWriter output, TextWriter error)
    {
        using var progress = ReferenceEquals(error, Console.Error) ? ConsoleProgress.Start("twin bench latency") : ConsoleProgress.Start("twin bench latency", error);
        var dir = Path.Combine(Path.GetTempPath(), "twin-bench-latency-" + Guid.NewGuid().ToString("N"));
        var mqttPort = BenchSupport.FreePort();
        try
        {
            progress.Step("starting the service");
            await using var app = TwinServiceHost.Build(["--mqtt-port", mqttPort.ToString(), "--http-port", BenchSupport.FreePort().ToString(), "--data-dir", dir, "--Logging:LogLevel:Default", "Warning"]);
            await app.StartAsync();

            var arrived = new ConcurrentDictionary<string, TaskCompletionSource<long>>();
            TaskCompletionSource<long> Waiter(string device) => arrived.GetOrAdd(device, _ => new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously));
            using var client = new MqttClientFactory().CreateMqttClient();
            client.ApplicationMessageReceivedAsync += e =>
            {
                var now = Stopwatch.GetTimestamp();
                var parts = e.ApplicationMessage.Topic.Split('/');
                if (parts.Length == 5 && parts[4] == "alerts" && OpenedByRule(e.ApplicationMessage.Payload, parts[3]))
                {
                    Waiter(parts[3]).TrySetResult(now);
                }

                return Task.CompletedTask;
            };
            await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", mqttPort).WithClientId("bench-latency").Build());
            await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter($"equipment/v1/{Site}/+/alerts", MqttQualityOfServiceLevel.AtLeastOnce).Build());

            var alertMs = new List<double>();
            var pubackMs = new List<double>();
            var total = o.Warmup + o.Devices;
            progress.Step($"{o.Warmup} warm-up + {o.Devices} devices, one decisive record each", total, "devices");
            for (var i = 0; i < total; i++)
            {
                var device = $"ct-lat-{i:D4}";
                await PublishAsync(client, $"equipment/v1/{Site}/{device}/nameplate", """{"modality":"ct","vendor":"Bench","model":"L1"}""", retain: true);
                var waiter = Waiter(device);
                var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                var hour = now - now % HourMs;
                var history = WireCodec.EncodeLogs(new LogBatch("bench-" + device, 1, [LogRecord.Event(hour - HourMs / 2, Code, Severity.Critical, "High voltage disabled after repeated arcing")]));
                await PublishAsync(client, $"equipment/v1/{Site}/{device}/logs", history, retain: false);
                var payload = WireCodec.EncodeLogs(new LogBatch("bench-" + device, 2, [LogRecord.Param(now, Signal, 55.0)]));
                var message = new MqttApplicationMessageBuilder().WithTopic($"equipment/v1/{Site}/{device}/logs").WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();

                var start = Stopwatch.GetTimestamp();
                var result = await client.PublishAsync(message);
                var acked = Stopwatch.GetTimestamp();
                if (!result.IsSuccess)
                {
                    throw new FailureException($"latency bench: the decisive record of {device} was refused ({result.ReasonCode})");
                }

                if (await Task.WhenAny(waiter.Task, Task.Delay(TimeSpan.FromSeconds(o.TimeoutSeconds))) != waiter.Task)
                {
                    throw new FailureException($"latency bench: no open alert of rule {Rule} for {device} on its alerts topic within {o.TimeoutSeconds} s");
                }

                if (i >= o.Warmup)
                {
                    alertMs.Add(Stopwatch.GetElapsedTime(start, waiter.Task.Result).TotalMilliseconds);
                    pubackMs.Add(Stopwatch.GetElapsedTime(start, acked).TotalMilliseconds);
                }

                progress.Report(i + 1);
            }

            await client.DisconnectAsync();
            await app.StopAsync();

            var alert = Summary(alertMs);
            var puback = Summary(pubackMs);
            if (o.Json)
            {
                output.WriteLine(JsonSerializer.Serialize(new
                {
                    bench = "latency",
                    options = o,
                    rule = Rule,
                    historyEvent = Code,
                    decisiveRecord = "first reading past the event's hour (" + Signal + ")",
                    alertsReceived = alertMs.Count,
                    publishToAlertMs = new { p50 = alert.P50, p99 = alert.P99, max = alert.Max },
                    publishToPubackMs = new { p50 = puback.P50, p99 = puback.P99, max = puback.Max },
                    ratioP50 = alert.P50 / puback.P50,
                    ratioP99 = alert.P99 / puback.P99,
                    machine = "shared",
                    host = BenchSupport.Host(),
                }));
            }
            else
            {
                output.WriteLine($"latency bench: {o.Devices} CT devices ({o.Warmup} warm-up not counted), history: one {Code} event (rule {Rule}), decisive record: the first reading of the next hour, QoS 1 (machine shared: compare ratios, not absolutes)");
                output.WriteLine($"publish to alert on MQTT: p50 {alert.P50:0.0} ms, p99 {alert.P99:0.0} ms, max {alert.Max:0.0} ms ({alertMs.Count} of {o.Devices} alerts arrived)");
                output.WriteLine($"baseline, publish to PUBACK (store commit) of the same record: p50 {puback.P50:0.0} ms, p99 {puback.P99:0.0} ms, max {puback.Max:0.0} ms");
                output.WriteLine($"ratio alert / PUBACK: p50 {alert.P50 / puback.P50:0.00}, p99 {alert.P99 / puback.P99:0.00}");
            }

            return 0;
        }
        finally
        {
            BenchSupport.DeleteScratch(dir);
        }
    }

    /// <summary>p50, p99 and max in milliseconds.</summary>
    public sealed record LatencySummary(double P50, double P99, double Max);

    private static LatencySummary Summary(List<double> values)
    {
        var sorted = values.Order().ToList();
        return new LatencySummary(BenchSupport.Percentile(sorted, 0.50), BenchSupport.Percentile(sorted, 0.99), sorted[^1]);
    }

    private static Task PublishAsync(IMqttClient client, string topic, string payload, bool retain) => PublishAsync(client, topic, System.Text.Encoding.UTF8.GetBytes(payload), retain);

    /// <summary>Only the alert the bench expects counts: open, for this device, with the rule's evidence.</summary>
    private static bool OpenedByRule(System.Buffers.ReadOnlySequence<byte> payload, string device)
    {
        var reader = new Utf8JsonReader(payload);
        using var alert = JsonDocument.ParseValue(ref reader);
        var a = alert.RootElement;
        return a.GetProperty("deviceId").GetString() == device && a.GetProperty("state").GetString() == "open"
            && a.GetProperty("evidence").EnumerateArray().Any(e => e.GetProperty("source").GetString() == Rule);
    }

    private static async Task PublishAsync(IMqttClient client, string topic, byte[] payload, bool retain)
    {
        var result = await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithRetainFlag(retain).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        if (!result.IsSuccess)
        {
            throw new FailureException($"latency bench: {topic} was refused ({result.ReasonCode})");
        }
    }
}
