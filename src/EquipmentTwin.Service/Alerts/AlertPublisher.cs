using System.Diagnostics.Metrics;
using EquipmentTwin.Service.Broker;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EquipmentTwin.Service.Alerts;

/// <summary>
/// The outbox of what the alert service publishes over MQTT (alert changes, retained twin summaries): messages go
/// out in order; one the broker does not take (not reachable, or the publish throws) is counted and stays at the
/// head of the outbox, retried with backoff and at every new message, so a broker outage delays messages instead
/// of losing them. A retained twin summary replaces an older one of the same device still waiting. Bounded: past
/// <see cref="Capacity"/> the oldest alert message is dropped and counted (the store still has the alert).
/// </summary>
public sealed partial class AlertPublisher : BackgroundService
{
    public const int Capacity = 10_000;

    private readonly IMqttPublisher _publisher;
    private readonly TimeProvider _time;
    private readonly ILogger<AlertPublisher> _logger;
    private readonly LinkedList<(string Topic, byte[] Payload, bool Retain)> _outbox = new();
    private readonly SemaphoreSlim _drainLock = new(1, 1);
    private readonly SemaphoreSlim _signal = new(0);
    private readonly Counter<long> _failures;
    private readonly Counter<long> _dropped;
    private long _failureCount;
    private long _droppedCount;
    private long _published;

    public AlertPublisher(IMqttPublisher publisher, TimeProvider time, ILogger<AlertPublisher> logger, IMeterFactory? meters = null)
    {
        _publisher = publisher;
        _time = time;
        _logger = logger;
        var meter = meters?.Create("EquipmentTwin.Alerts") ?? new Meter("EquipmentTwin.Alerts");
        _failures = meter.CreateCounter<long>("equipmenttwin.alerts.publish_failures", description: "Alert and twin messages the broker did not take (each stays in the outbox and is retried)");
        _dropped = meter.CreateCounter<long>("equipmenttwin.alerts.publish_dropped", description: "Alert messages dropped because the outbox was full (the alert is still stored)");
    }

    /// <summary>Failed attempts at publishing a message (each retried).</summary>
    public long Failures => Interlocked.Read(ref _failureCount);

    /// <summary>Messages dropped because the outbox was full.</summary>
    public long Dropped => Interlocked.Read(ref _droppedCount);

    /// <summary>Messages the broker took.</summary>
    public long Published => Interlocked.Read(ref _published);

    public int Pending
    {
        get
        {
            lock (_outbox)
            {
                return _outbox.Count;
            }
        }
    }

    /// <summary>Queues a message; call <see cref="DrainAsync"/> (or let the retry loop) send it.</summary>
    public void Enqueue(string topic, byte[] payload, bool retain)
    {
        lock (_outbox)
        {
            if (retain)
            {
                for (var n = _outbox.First; n is not null; n = n.Next)
                {
                    if (n.Value.Retain && n.Value.Topic == topic)
                    {
                        _outbox.Remove(n);
                        break;
                    }
                }
            }

            _outbox.AddLast((topic, payload, retain));
            if (_outbox.Count > Capacity)
            {
                _outbox.RemoveFirst();
                _dropped.Add(1);
                Interlocked.Increment(ref _droppedCount);
            }
        }
    }

    /// <summary>Sends what waits, in order, until the broker refuses one; returns whether the outbox is empty.</summary>
    public async Task<bool> DrainAsync(CancellationToken ct)
    {
        await _drainLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            while (true)
            {
                (string Topic, byte[] Payload, bool Retain) next;
                lock (_outbox)
                {
                    if (_outbox.First is null)
                    {
                        return true;
                    }

                    next = _outbox.First.Value;
                }

                bool ok;
                try
                {
                    ok = await _publisher.PublishAsync(next.Topic, next.Payload, next.Retain, ct).ConfigureAwait(false);
                    if (!ok)
                    {
                        LogNotPublished(next.Topic);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    ok = false;
                    LogPublishFailed(ex, next.Topic);
                }

                if (!ok)
                {
                    _failures.Add(1);
                    Interlocked.Increment(ref _failureCount);
                    _signal.Release();
                    return false;
                }

                Interlocked.Increment(ref _published);
                lock (_outbox)
                {
                    // A newer retained summary may have replaced this one meanwhile; remove only what was sent.
                    if (_outbox.First is { } first && ReferenceEquals(first.Value.Payload, next.Payload))
                    {
                        _outbox.RemoveFirst();
                    }
                }
            }
        }
        finally
        {
            _drainLock.Release();
        }
    }

    /// <summary>Retries a refused message with backoff (0.5 s doubling to 30 s) while the outbox is not empty.</summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(500);
        while (!stoppingToken.IsCancellationRequested)
        {
            await _signal.WaitAsync(stoppingToken).ConfigureAwait(false);
            while (Pending > 0)
            {
                await Task.Delay(delay, _time, stoppingToken).ConfigureAwait(false);
                if (await DrainAsync(stoppingToken).ConfigureAwait(false))
                {
                    delay = TimeSpan.FromMilliseconds(500);
                    break;
                }

                delay = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(30).Ticks, delay.Ticks * 2));
            }

            while (_signal.CurrentCount > 0)
            {
                await _signal.WaitAsync(stoppingToken).ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Broker not reachable; {Topic} waits in the outbox")]
    private partial void LogNotPublished(string topic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing {Topic} failed; it waits in the outbox")]
    private partial void LogPublishFailed(Exception ex, string topic);
}
