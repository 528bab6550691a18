using System.Buffers;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using EquipmentTwin.Service.Twins;
using EquipmentTwin.Storage;
using Microsoft.Extensions.Logging;
using Polly;

namespace EquipmentTwin.Service.Ingest;

/// <summary>
/// The one way into the store. Callers (the embedded broker's publish interceptor, or the subscriber on an
/// external broker) decode on their own thread, then wait while the single writer commits many messages in
/// one transaction; only then do they acknowledge to the publisher. A malformed message becomes a
/// quarantine row in the same transaction and never fails its neighbours.
/// </summary>
public sealed partial class IngestPipeline
{
    /// <summary>Quarantine reason of a nameplate whose modality differs from the device's registered one.</summary>
    public const string ModalityChanged = "modality-changed";

    private readonly Channel<Pending> _queue;
    private readonly MessageDecoder _decoder;
    private readonly ITelemetryStore _store;
    private readonly TwinRegistry _twins;
    private readonly ResiliencePipeline _storeWrite;
    private readonly TimeProvider _time;
    private readonly ILogger<IngestPipeline> _logger;
    private readonly int _maxPerWrite;
    private volatile IIngestObserver[] _observers = [];
    private readonly Counter<long> _messages;
    private readonly Counter<long> _records;
    private readonly Counter<long> _duplicates;
    private readonly Counter<long> _rejected;
    private long _writes;
    private long _lastWriteAtMs;
    private long _writeFailures;
    private int _arriving;

    /// <summary>Publishers acknowledged by the last write that have not sent again yet (writer loop only).</summary>
    private readonly HashSet<string> _expected = new(StringComparer.Ordinal);

    public IngestPipeline(MessageDecoder decoder, ITelemetryStore store, TwinRegistry twins, ResiliencePipeline storeWrite, TimeProvider time, int queueCapacity, int maxPerWrite, ILogger<IngestPipeline> logger, IMeterFactory? meters = null)
    {
        _decoder = decoder;
        _store = store;
        _twins = twins;
        _storeWrite = storeWrite;
        _time = time;
        _logger = logger;
        _maxPerWrite = maxPerWrite;
        _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(queueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        var meter = meters?.Create("EquipmentTwin.Ingest") ?? new Meter("EquipmentTwin.Ingest");
        _messages = meter.CreateCounter<long>("equipmenttwin.ingest.messages", description: "MQTT messages taken for ingest");
        _records = meter.CreateCounter<long>("equipmenttwin.ingest.records", description: "Log records stored");
        _rejected = meter.CreateCounter<long>("equipmenttwin.ingest.rejected", description: "Payloads or records quarantined");
        _duplicates = meter.CreateCounter<long>("equipmenttwin.ingest.duplicates", description: "Batches dropped as duplicates of a stored (source, seq)");
    }

    public int QueueDepth => _queue.Reader.Count;
    public long Writes => Interlocked.Read(ref _writes);
    public long WriteFailures => Interlocked.Read(ref _writeFailures);
    public DateTimeOffset? LastWriteAt => Interlocked.Read(ref _lastWriteAtMs) is var ms && ms > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
    public bool Running { get; private set; }

    /// <summary>Longest a write waits for messages still being decoded, to commit them together (0: never waits).</summary>
    public TimeSpan MaxCommitDelay { get; init; }

    /// <summary>Adds a component told of every commit (analytics); observers subscribe themselves, which keeps the service graph acyclic.</summary>
    public void AddObserver(IIngestObserver observer) => _observers = [.. _observers, observer];

    /// <summary>Decodes and stores one message; completes once it is durable (or quarantined), throws if the store could not take it.</summary>
    /// <param name="publisher">The connection it came on, when that connection hands over its next message only after
    /// this one is acknowledged (the embedded broker): the next write then waits briefly for it (group commit).</param>
    public async Task<IngestOutcome> SubmitAsync(string topic, ReadOnlySequence<byte> payload, CancellationToken cancellationToken, string? publisher = null)
    {
        Pending pending;
        // Counted from before the decode until the message is queued: the writer may wait for it (group commit).
        Interlocked.Increment(ref _arriving);
        try
        {
            var item = _decoder.Decode(topic, payload, _time.GetUtcNow());
            if (item is null)
            {
                return IngestOutcome.Ignored;
            }

            // A device keeps the modality of its first nameplate: its stored series, catalog and models are that
            // modality's. Another modality under the same id is a misconfiguration or a reused id, refused into quarantine
            // (docs/wire-format.md). Two conflicting first nameplates racing each other are not caught: the later wins.
            if (item is NameplateItem np && _twins.Read(np.DeviceId, t => t.Modality is { } m ? Core.WireFormat.ModalityNames.ToWire(m) : "") is { Length: > 0 } known && known != Core.WireFormat.ModalityNames.ToWire(np.Nameplate.Modality))
            {
                item = _decoder.Refuse(topic, ModalityChanged, $"device '{np.DeviceId}' is registered as {known}; a nameplate with modality {Core.WireFormat.ModalityNames.ToWire(np.Nameplate.Modality)} is refused (use a new device id)", payload, item.ReceivedAt);
            }

            _messages.Add(1);
            pending = new Pending(item, publisher);
            await _queue.Writer.WriteAsync(pending, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _arriving);
        }

        return await pending.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The writer loop; run by <see cref="IngestWorker"/>.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        Running = true;
        var batch = new List<Pending>(_maxPerWrite);
        var items = new List<IngestItem>(_maxPerWrite);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                batch.Clear();
                items.Clear();
                while (batch.Count < _maxPerWrite && _queue.Reader.TryRead(out var p))
                {
                    batch.Add(p);
                    items.Add(p.Item);
                }

                await GatherArrivingAsync(batch, items, stoppingToken).ConfigureAwait(false);
                await WriteAsync(batch, items, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            Running = false;
            // Whatever is still queued was never acknowledged: the publisher or broker sends it again.
            while (_queue.Reader.TryRead(out var p))
            {
                p.Completion.TrySetCanceled(CancellationToken.None);
            }
        }
    }

    /// <summary>
    /// Group commit. The broker hands over one message per publisher at a time (the next only after the PUBACK), so
    /// publishers acknowledged by the previous write come back a moment later. Without waiting, they miss the write
    /// that has just started and the publishers split into cohorts that alternate, each paying its own fsync. So a
    /// write waits up to <see cref="MaxCommitDelay"/> for those publishers (and for messages being decoded right now)
    /// to be in it. A lone publisher is never delayed: it is already in the batch, so nothing is awaited.
    /// </summary>
    private async Task GatherArrivingAsync(List<Pending> batch, List<IngestItem> items, CancellationToken stoppingToken)
    {
        if (MaxCommitDelay <= TimeSpan.Zero)
        {
            return;
        }

        foreach (var p in batch)
        {
            Arrived(p);
        }

        if (_expected.Count == 0 && Volatile.Read(ref _arriving) == 0)
        {
            return;
        }

        var deadline = Stopwatch.GetTimestamp() + (long)(MaxCommitDelay.TotalSeconds * Stopwatch.Frequency);
        while (batch.Count < _maxPerWrite && (_expected.Count > 0 || Volatile.Read(ref _arriving) > 0))
        {
            if (_queue.Reader.TryRead(out var p))
            {
                batch.Add(p);
                items.Add(p.Item);
                Arrived(p);
                continue;
            }

            var left = deadline - Stopwatch.GetTimestamp();
            if (left <= 0)
            {
                return;
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            timeout.CancelAfter(TimeSpan.FromSeconds((double)left / Stopwatch.Frequency));
            try
            {
                if (!await _queue.Reader.WaitToReadAsync(timeout.Token).ConfigureAwait(false))
                {
                    return;
                }
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private void Arrived(Pending p)
    {
        if (p.Publisher is { } publisher)
        {
            _expected.Remove(publisher);
        }
    }

    private async Task WriteAsync(List<Pending> batch, List<IngestItem> items, CancellationToken stoppingToken)
    {
        IReadOnlyList<Storage.WriteOutcome> outcomes;
        try
        {
            outcomes = await _storeWrite.ExecuteAsync(async ct => await _store.WriteAsync(items, ct).ConfigureAwait(false), stoppingToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            Interlocked.Increment(ref _writeFailures);
            LogWriteFailed(ex, batch.Count);
            foreach (var p in batch)
            {
                p.Completion.TrySetException(new IngestUnavailableException("the store could not take the message", ex));
            }

            return;
        }

        Interlocked.Increment(ref _writes);
        Interlocked.Exchange(ref _lastWriteAtMs, _time.GetUtcNow().ToUnixTimeMilliseconds());
        var observers = _observers;
        // Only the publishers of this write are awaited by the next one: one that has gone quiet costs one wait at most.
        _expected.Clear();
        List<IngestItem>? committed = observers.Length > 0 ? new List<IngestItem>(batch.Count) : null;
        for (var i = 0; i < batch.Count; i++)
        {
            var outcome = Apply(items[i], outcomes[i]);
            batch[i].Completion.TrySetResult(outcome);
            if (batch[i].Publisher is { } publisher)
            {
                _expected.Add(publisher);
            }
            if (outcomes[i] == Storage.WriteOutcome.Stored && items[i] is not QuarantineItem)
            {
                committed?.Add(items[i]);
            }
        }

        // After the acknowledgements: what the observers do never delays a publisher's PUBACK.
        if (committed is { Count: > 0 })
        {
            foreach (var observer in observers)
            {
                await observer.OnCommittedAsync(committed, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    private IngestOutcome Apply(IngestItem item, Storage.WriteOutcome outcome)
    {
        if (outcome == Storage.WriteOutcome.Duplicate)
        {
            _duplicates.Add(1);
            return IngestOutcome.Duplicate;
        }

        switch (item)
        {
            case BatchItem b:
                _twins.ApplyBatch(b);
                _records.Add(b.Batch.Records.Count);
                if (b.Rejected is { } rej)
                {
                    _rejected.Add(1);
                    LogRejected(rej.Topic, rej.Reason, rej.Detail);
                    return rej.WholePayload ? IngestOutcome.Quarantined : IngestOutcome.PartiallyQuarantined;
                }

                return IngestOutcome.Stored;
            case NameplateItem n:
                _twins.ApplyNameplate(n);
                return IngestOutcome.Stored;
            case StatusItem s:
                _twins.ApplyStatus(s);
                return IngestOutcome.Stored;
            case MaintenanceItem m:
                _twins.ApplyMaintenance(m);
                return IngestOutcome.Stored;
            case QuarantineItem q:
                _rejected.Add(1);
                LogRejected(q.Topic, q.Reason, q.Detail);
                return IngestOutcome.Quarantined;
            default:
                return IngestOutcome.Stored;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Quarantined a message on {Topic}: {Reason}: {Detail}")]
    private partial void LogRejected(string topic, string reason, string detail);

    [LoggerMessage(Level = LogLevel.Error, Message = "Store write of {Count} message(s) failed after retries; they are not acknowledged and will be sent again")]
    private partial void LogWriteFailed(Exception ex, int count);

    private sealed class Pending(IngestItem item, string? publisher)
    {
        public IngestItem Item { get; } = item;

        /// <summary>The broker connection it came on, for group commit; null when none is to be awaited.</summary>
        public string? Publisher { get; } = publisher;
        public TaskCompletionSource<IngestOutcome> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>The store could not take a message; it was not acknowledged.</summary>
public sealed class IngestUnavailableException(string message, Exception inner) : Exception(message, inner);

