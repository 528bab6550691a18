using System.Text.Json;
using System.Threading.Channels;
using EquipmentTwin.Service.Ingest;
using EquipmentTwin.Storage;

namespace EquipmentTwin.Service.Live;

/// <summary>One message of the live feed: an SSE event name and its JSON data.</summary>
public sealed record LiveMessage(string Event, string Data);

/// <summary>
/// Tells open pages what moved, over Server-Sent Events (<c>GET /api/stream</c>): <c>devices</c> with the ids
/// whose data was committed (at most once a second, so a busy fleet does not flood a browser) and <c>alert</c>
/// on every alert change. Pages then read the public API again; the feed carries only what to re-read.
/// </summary>
public sealed class LiveFeed : IIngestObserver, IDisposable
{
    private readonly object _gate = new();
    private readonly List<Channel<LiveMessage>> _subscribers = new();
    private readonly HashSet<string> _dirty = new(StringComparer.Ordinal);
    private readonly ITimer _timer;

    public LiveFeed(IngestPipeline ingest, TimeProvider time)
    {
        ingest.AddObserver(this);
        _timer = time.CreateTimer(_ => FlushDevices(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    public int Subscribers
    {
        get
        {
            lock (_gate)
            {
                return _subscribers.Count;
            }
        }
    }

    public ValueTask OnCommittedAsync(IReadOnlyList<IngestItem> items, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_subscribers.Count == 0)
            {
                return ValueTask.CompletedTask;
            }

            foreach (var item in items)
            {
                var id = item switch
                {
                    BatchItem b => b.DeviceId,
                    NameplateItem n => n.DeviceId,
                    StatusItem s => s.DeviceId,
                    MaintenanceItem m => m.DeviceId,
                    _ => null,
                };
                if (id is not null)
                {
                    _dirty.Add(id);
                }
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Sends an event to every open page now.</summary>
    public void Publish(string eventName, object data)
    {
        var message = new LiveMessage(eventName, JsonSerializer.Serialize(data, Analytics.AlertJson.Options));
        lock (_gate)
        {
            foreach (var s in _subscribers)
            {
                s.Writer.TryWrite(message);
            }
        }
    }

    /// <summary>A page's subscription; dispose it when the page goes. A page too slow to read loses the oldest messages, not the service's memory.</summary>
    public Subscription Subscribe()
    {
        var channel = Channel.CreateBounded<LiveMessage>(new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        lock (_gate)
        {
            _subscribers.Add(channel);
        }

        return new Subscription(this, channel);
    }

    private void FlushDevices()
    {
        string[] ids;
        lock (_gate)
        {
            if (_dirty.Count == 0)
            {
                return;
            }

            ids = _dirty.Order(StringComparer.Ordinal).ToArray();
            _dirty.Clear();
        }

        Publish("devices", new { devices = ids });
    }

    private void Remove(Channel<LiveMessage> channel)
    {
        lock (_gate)
        {
            _subscribers.Remove(channel);
        }

        channel.Writer.TryComplete();
    }

    public void Dispose() => _timer.Dispose();

    public sealed class Subscription(LiveFeed feed, Channel<LiveMessage> channel) : IDisposable
    {
        public ChannelReader<LiveMessage> Reader => channel.Reader;

        public void Dispose() => feed.Remove(channel);
    }
}
