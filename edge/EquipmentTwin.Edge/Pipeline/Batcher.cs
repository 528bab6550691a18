using System.Threading.Channels;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Edge.Hosting;
using EquipmentTwin.Edge.Queue;
using EquipmentTwin.Edge.Sources;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EquipmentTwin.Edge.Pipeline;

/// <summary>
/// Groups the records of each device into logs batches (closed at <c>Batching:MaxRecords</c>, <c>MaxBytes</c> or
/// <c>MaxDelayMs</c> after the first record), numbers them from the persisted seq, appends them with the source
/// positions they reach to the journal and commits the group with one fsync. While the journal is full it stops
/// taking chunks, so the sources stop reading.
/// </summary>
public sealed partial class Batcher(ChannelReader<SourceChunk> input, DiskJournal journal, SeqAllocator seq, EdgeSettings settings, TimeProvider time, ILogger<Batcher> logger) : BackgroundService
{
    private readonly Dictionary<string, PendingBatch> _pending = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _logsTopic = settings.Devices.ToDictionary(d => d.Id, d => Topics.Format(d.Site ?? settings.Edge.Site, d.Id, Core.WireFormat.Channel.Logs), StringComparer.Ordinal);
    private bool _stopping;
    private long _batches;
    private long _records;
    private long _recordsCommitted;
    private long _lastCommitTimestamp;

    public long BatchesJournaled => Interlocked.Read(ref _batches);
    public long RecordsJournaled => Interlocked.Read(ref _records);

    /// <summary>Records durable in the journal (fsynced) and handed to the publisher.</summary>
    public long RecordsCommitted => Interlocked.Read(ref _recordsCommitted);

    /// <summary><see cref="System.Diagnostics.Stopwatch.GetTimestamp"/> of the last commit: lets a benchmark time parse-and-journal apart from publishing.</summary>
    public long LastCommitTimestamp => Interlocked.Read(ref _lastCommitTimestamp);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var maxDelay = TimeSpan.FromMilliseconds(settings.Batching.MaxDelayMs);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (!input.TryPeek(out _))
                {
                    var due = NextDue(maxDelay);
                    if (due is null)
                    {
                        if (!await input.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
                        {
                            break;
                        }
                    }
                    else if (due > TimeSpan.Zero)
                    {
                        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                        timeout.CancelAfter(due.Value);
                        try
                        {
                            await input.WaitToReadAsync(timeout.Token).ConfigureAwait(false);
                        }
                        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                        {
                            // the oldest batch is due
                        }
                    }
                }

                var appended = false;
                for (var n = 0; n < 256 && input.TryRead(out var chunk); n++)
                {
                    appended |= await AddAsync(chunk, stoppingToken).ConfigureAwait(false);
                }

                appended |= await FlushDueAsync(maxDelay, all: false, stoppingToken).ConfigureAwait(false);
                if (appended)
                {
                    journal.Commit();
                    Committed();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        // Graceful stop: the sources have stopped (they stop first); journal what they read so positions are exact.
        // With a full queue this may exceed Queue:MaxBytes by what is already read (a few chunks): waiting here would block the stop.
        _stopping = true;
        while (input.TryRead(out var rest))
        {
            await AddAsync(rest, CancellationToken.None).ConfigureAwait(false);
        }

        await FlushDueAsync(maxDelay, all: true, CancellationToken.None).ConfigureAwait(false);
        journal.Commit();
        Committed();
        LogStopped(BatchesJournaled, RecordsJournaled);
    }

    private void Committed()
    {
        Interlocked.Exchange(ref _lastCommitTimestamp, System.Diagnostics.Stopwatch.GetTimestamp());
        Interlocked.Exchange(ref _recordsCommitted, RecordsJournaled);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Batcher stopped after journaling {Batches} batches ({Records} records)")]
    private partial void LogStopped(long batches, long records);

    private TimeSpan? NextDue(TimeSpan maxDelay)
    {
        if (_pending.Count == 0)
        {
            return null;
        }

        var first = _pending.Values.Min(p => p.FirstAt);
        return first + maxDelay - time.GetUtcNow();
    }

    private async ValueTask<bool> AddAsync(SourceChunk chunk, CancellationToken ct)
    {
        var appended = false;
        if (!_pending.TryGetValue(chunk.DeviceId, out var p))
        {
            p = new PendingBatch(time.GetUtcNow());
            _pending[chunk.DeviceId] = p;
        }
        else if (p.Records.Count + chunk.Records.Count > settings.Batching.MaxRecords || p.Bytes + chunk.ApproxBytes > settings.Batching.MaxBytes)
        {
            // Close the batch before this chunk so the positions stay on line boundaries of what was journaled.
            appended = await FlushAsync(chunk.DeviceId, p, ct).ConfigureAwait(false);
            p = new PendingBatch(time.GetUtcNow());
            _pending[chunk.DeviceId] = p;
        }

        p.Records.AddRange(chunk.Records);
        p.Bytes += chunk.ApproxBytes;
        if (chunk.Position is { } pos)
        {
            p.Positions[pos.Key] = pos;
        }

        if (p.Records.Count >= settings.Batching.MaxRecords || p.Bytes >= settings.Batching.MaxBytes)
        {
            appended |= await FlushAsync(chunk.DeviceId, p, ct).ConfigureAwait(false);
            _pending.Remove(chunk.DeviceId);
        }

        return appended;
    }

    private async ValueTask<bool> FlushDueAsync(TimeSpan maxDelay, bool all, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var appended = false;
        foreach (var (device, p) in _pending.Where(kv => all || now - kv.Value.FirstAt >= maxDelay).ToList())
        {
            appended |= await FlushAsync(device, p, ct).ConfigureAwait(false);
            _pending.Remove(device);
        }

        return appended;
    }

    private async ValueTask<bool> FlushAsync(string device, PendingBatch p, CancellationToken ct)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var positions = p.Positions.Values.ToList();
        if (p.Records.Count == 0)
        {
            if (positions.Count == 0)
            {
                return false;
            }

            journal.Append(new JournalRecord(JournalEntryKind.Positions, 0, now, "", positions, ReadOnlyMemory<byte>.Empty));
            return true;
        }

        // Estimate before numbering, so a batch that waits for room does not hold a seq it may never use.
        var estimate = p.Bytes + 512;
        if (!_stopping && journal.WouldWait(estimate))
        {
            journal.Commit(); // what is appended must reach the publisher, or room never comes
            Committed();
            await journal.WaitForSpaceAsync(estimate, ct).ConfigureAwait(false);
        }

        var s = seq.Next();
        var body = WireCodec.EncodeLogs(new LogBatch(settings.Edge.Source, s, p.Records), epochMillis: true);
        journal.Append(new JournalRecord(JournalEntryKind.Batch, s, now, _logsTopic[device], positions, body));
        Interlocked.Increment(ref _batches);
        Interlocked.Add(ref _records, p.Records.Count);
        return true;
    }

    private sealed class PendingBatch(DateTimeOffset firstAt)
    {
        public DateTimeOffset FirstAt { get; } = firstAt;
        public List<LogRecord> Records { get; } = [];
        public Dictionary<string, SourcePosition> Positions { get; } = new(StringComparer.Ordinal);
        public int Bytes { get; set; }
    }
}
