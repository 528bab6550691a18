using System.Text;
using EquipmentTwin.Service.Alerts;
using EquipmentTwin.Service.Broker;
using EquipmentTwin.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;

namespace EquipmentTwin.Service.Tests;

/// <summary>What the broker does not take waits in the outbox, counted, and goes out later in order; none is only logged.</summary>
public sealed class AlertPublisherTests
{
    /// <summary>A broker that refuses (or throws on) the next publishes, then passes them to <paramref name="inner"/>.</summary>
    private sealed class FlakyPublisher(IMqttPublisher? inner = null) : IMqttPublisher
    {
        private int _refuse;

        public List<(string Topic, string Payload)> Taken { get; } = new();

        public void RefuseNext(int count) => Interlocked.Exchange(ref _refuse, count);

        public async Task<bool> PublishAsync(string topic, byte[] payload, bool retain, CancellationToken cancellationToken)
        {
            var left = Interlocked.Decrement(ref _refuse);
            if (left >= 0)
            {
                return left % 2 == 0 ? false : throw new IOException("connection reset (test)");
            }

            lock (Taken)
            {
                Taken.Add((topic, Encoding.UTF8.GetString(payload)));
            }

            return inner is null || await inner.PublishAsync(topic, payload, retain, cancellationToken);
        }
    }

    [Fact]
    public async Task Refused_messages_wait_in_order_and_a_newer_retained_summary_replaces_the_waiting_one()
    {
        var broker = new FlakyPublisher();
        var outbox = new AlertPublisher(broker, TimeProvider.System, NullLogger<AlertPublisher>.Instance);
        broker.RefuseNext(2);
        outbox.Enqueue("a/alerts", "a1"u8.ToArray(), false);
        Assert.False(await outbox.DrainAsync(default));
        outbox.Enqueue("a/twin", "t1"u8.ToArray(), true);
        Assert.False(await outbox.DrainAsync(default));
        outbox.Enqueue("a/alerts", "a2"u8.ToArray(), false);
        outbox.Enqueue("a/twin", "t2"u8.ToArray(), true);
        Assert.Equal((2L, 3), (outbox.Failures, outbox.Pending));

        Assert.True(await outbox.DrainAsync(default));
        Assert.Equal([("a/alerts", "a1"), ("a/alerts", "a2"), ("a/twin", "t2")], broker.Taken);
        Assert.Equal((0, 3L, 0L), (outbox.Pending, outbox.Published, outbox.Dropped));
    }

    [Fact]
    public async Task An_alert_the_broker_refused_reaches_a_subscriber_later_without_new_data()
    {
        FlakyPublisher? flaky = null;
        await using var service = await ServiceFixture.StartAsync(s => s.AddSingleton<IMqttPublisher>(sp => flaky = new FlakyPublisher(sp.GetRequiredService<EmbeddedBroker>())));
        var received = new List<string>();
        var subscriber = await service.ConnectClientAsync("alerts-watcher");
        subscriber.ApplicationMessageReceivedAsync += e =>
        {
            lock (received)
            {
                received.Add(e.ApplicationMessage.Topic);
            }

            return Task.CompletedTask;
        };
        await subscriber.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("equipment/v1/+/+/alerts").Build());
        Assert.NotNull(flaky);
        flaky.RefuseNext(3);

        await AlertApiTests.OpenColdHeadAlertAsync(service, "mri-outbox");

        var outbox = service.App.Services.GetRequiredService<AlertPublisher>();
        await Eventually.HoldsAsync(() => Task.FromResult(outbox.Pending), n => n == 0, TimeSpan.FromSeconds(30), "the outbox to empty");
        await Eventually.HoldsAsync(() => Task.FromResult(received.Count), n => n > 0, TimeSpan.FromSeconds(30), "the alert on the alerts topic");
        Assert.Equal(3, outbox.Failures);
        Assert.Equal(0, outbox.Dropped);
        await subscriber.DisconnectAsync();
        subscriber.Dispose();
    }
}
