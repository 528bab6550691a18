using System.Buffers.Binary;
using System.Globalization;
using EquipmentTwin.Edge.Sources;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace EquipmentTwin.Edge.Queue;

/// <summary>
/// The agent's disk queue: an append-only journal of batches in segment files (<c>{dir}/{id:D10}.seg</c>), each
/// entry length-prefixed and checksummed (<see cref="JournalRecord"/>), fsynced per group by <see cref="Commit"/>.
/// An entry is handed to the publisher only after it is on disk, and leaves the queue only after its PUBACK; an
/// ack cursor (<c>ack.cursor</c>) marks the first unacknowledged entry, and whole segments before it are deleted.
/// Every entry carries the source positions its lines reached, and every segment starts with a checkpoint of all
/// positions, so on restart the sources resume exactly after the last journaled line (docs/edge.md).
/// </summary>
public sealed partial class DiskJournal : IDisposable
{
    private readonly object _gate = new();
    private readonly string _dir;
    private readonly long _maxBytes;
    private readonly long _segmentBytes;
    private readonly QueueFullPolicy _policy;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SafeFileHandle _cursorFile;
    private readonly List<JournalEntry> _pending = [];
    private readonly List<JournalEntry> _uncommitted = [];
    private readonly SortedDictionary<long, long> _segments = [];
    private readonly Dictionary<long, SafeFileHandle> _readers = [];
    private readonly Dictionary<string, SourcePosition> _positions = new(StringComparer.Ordinal);
    private readonly AsyncSignal _entriesAdded = new();
    private readonly AsyncSignal _spaceFreed = new();
    private int _head;
    private long _pendingBytes;
    private long _uncommittedBytes;
    private long _nextOrdinal = 1;
    private long _committedUpTo;
    private long _maxSeq;
    private long _activeId;
    private FileStream _active = null!;
    private long _droppedBatches;
    private long _ackedBatches;
    private long _corruptEntries;
    private DateTimeOffset? _lastAckAt;
    private bool _backPressured;
    private bool _cursorDirty;

    private DiskJournal(string dir, long maxBytes, long segmentBytes, QueueFullPolicy policy, TimeProvider time, ILogger logger)
    {
        _dir = dir;
        _maxBytes = maxBytes;
        _segmentBytes = segmentBytes;
        _policy = policy;
        _time = time;
        _logger = logger;
        _cursorFile = File.OpenHandle(Path.Combine(dir, "ack.cursor"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
    }

    /// <summary>Positions recovered from the journal at start: where each source resumes.</summary>
    public IReadOnlyDictionary<string, SourcePosition> RecoveredPositions { get; private set; } = new Dictionary<string, SourcePosition>();

    /// <summary>Highest seq found in the journal (0 when none).</summary>
    public long MaxSeq => Interlocked.Read(ref _maxSeq);

    public long MaxBytes => _maxBytes;

    public static DiskJournal Open(string dir, long maxBytes, long segmentBytes, QueueFullPolicy policy, TimeProvider time, ILogger logger)
    {
        Directory.CreateDirectory(dir);
        var journal = new DiskJournal(dir, maxBytes, Math.Max(4096, Math.Min(segmentBytes, maxBytes / 4)), policy, time, logger);
        journal.Recover();
        return journal;
    }

    // ---- recovery ----

    private void Recover()
    {
        var (cursorSeg, cursorOff) = ReadCursor();
        var ids = Directory.EnumerateFiles(_dir, "*.seg")
            .Select(f => long.TryParse(Path.GetFileNameWithoutExtension(f), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : -1)
            .Where(id => id >= 0).Order().ToList();
        var recovered = 0;
        for (var i = 0; i < ids.Count; i++)
        {
            var id = ids[i];
            var path = SegmentPath(id);
            var data = File.ReadAllBytes(path);
            var off = 0;
            while (off < data.Length)
            {
                if (!JournalRecord.TryDecodeFramed(data.AsSpan(off), out var rec, out var len, out var problem))
                {
                    if (i == ids.Count - 1)
                    {
                        // A torn tail of the last segment is a write the crash interrupted: it was never fsynced, never published.
                        LogTornTail(path, off, data.Length - off, problem);
                        using var fs = new FileStream(path, FileMode.Open, FileAccess.Write);
                        fs.SetLength(off);
                        fs.Flush(true);
                    }
                    else
                    {
                        _corruptEntries++;
                        LogCorrupt(path, off, data.Length - off, problem);
                    }

                    break;
                }

                Apply(rec!.Positions);

                _maxSeq = Math.Max(_maxSeq, rec.Seq);
                if (rec.Kind == JournalEntryKind.Batch && (id > cursorSeg || (id == cursorSeg && off >= cursorOff)))
                {
                    var e = new JournalEntry(_nextOrdinal++, id, off, len, rec.Seq, rec.CreatedAtMs);
                    _pending.Add(e);
                    _pendingBytes += len;
                    recovered++;
                }

                off += len;
            }

            _segments[id] = Math.Min(off, data.Length);
        }

        _committedUpTo = _nextOrdinal - 1;
        RecoveredPositions = new Dictionary<string, SourcePosition>(_positions, StringComparer.Ordinal);
        // Always continue in a fresh segment, opened with a checkpoint, so the recovered ones can go once acknowledged.
        _activeId = ids.Count == 0 ? 1 : ids[^1] + 1;
        OpenActive();
        Commit();
        DeleteAcknowledgedSegments();
        LogRecovered(recovered, _pendingBytes, _positions.Count, _maxSeq);
    }

    private (long Segment, long Offset) ReadCursor()
    {
        Span<byte> buf = stackalloc byte[20];
        if (RandomAccess.Read(_cursorFile, buf, 0) == 20 && Crc32.Compute(buf[..16]) == BinaryPrimitives.ReadUInt32LittleEndian(buf[16..]))
        {
            return (BinaryPrimitives.ReadInt64LittleEndian(buf), BinaryPrimitives.ReadInt64LittleEndian(buf[8..]));
        }

        return (0, 0);
    }

    private void WriteCursor(bool flush)
    {
        long seg, off;
        lock (_gate)
        {
            if (!_cursorDirty && !flush)
            {
                return;
            }

            (seg, off) = _head < _pending.Count ? (_pending[_head].SegmentId, _pending[_head].Offset) : (_activeId, _segments[_activeId]);
            _cursorDirty = false;
        }

        Span<byte> buf = stackalloc byte[20];
        BinaryPrimitives.WriteInt64LittleEndian(buf, seg);
        BinaryPrimitives.WriteInt64LittleEndian(buf[8..], off);
        BinaryPrimitives.WriteUInt32LittleEndian(buf[16..], Crc32.Compute(buf[..16]));
        RandomAccess.Write(_cursorFile, buf, 0);
        if (flush)
        {
            RandomAccess.FlushToDisk(_cursorFile);
        }
    }

    // ---- writer side (one writer: the batcher) ----

    /// <summary>True when <paramref name="bytes"/> more do not fit and the policy is to wait.</summary>
    public bool WouldWait(int bytes)
    {
        lock (_gate)
        {
            var used = _pendingBytes + _uncommittedBytes;
            return used + bytes > _maxBytes && used > 0;
        }
    }

    /// <summary>Waits until <paramref name="bytes"/> more fit under <c>Queue:MaxBytes</c> (back-pressure), or drops the oldest batches (drop-oldest).</summary>
    public async ValueTask WaitForSpaceAsync(int bytes, CancellationToken ct)
    {
        while (true)
        {
            Task wait;
            lock (_gate)
            {
                var used = _pendingBytes + _uncommittedBytes;
                if (used + bytes <= _maxBytes || used == 0)
                {
                    if (_backPressured)
                    {
                        _backPressured = false;
                        LogSpaceAgain(used);
                    }

                    return;
                }

                if (_policy == QueueFullPolicy.DropOldest)
                {
                    DropOldestLocked(bytes);
                    return;
                }

                if (!_backPressured)
                {
                    _backPressured = true;
                    LogFull(used, _maxBytes);
                }

                wait = _spaceFreed.WaitAsync(ct);
            }

            try
            {
                await wait.WaitAsync(TimeSpan.FromSeconds(1), ct).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // re-check
            }
        }
    }

    private void DropOldestLocked(int bytes)
    {
        var dropped = 0;
        while (_head < _pending.Count && _pendingBytes + _uncommittedBytes + bytes > _maxBytes)
        {
            var e = _pending[_head];
            if (!e.Done)
            {
                e.Done = true;
                _pendingBytes -= e.Length;
                dropped++;
            }

            _head++;
        }

        if (dropped > 0)
        {
            _droppedBatches += dropped;
            _cursorDirty = true;
            LogDropped(dropped, _droppedBatches);
            DeleteAcknowledgedSegments();
        }
    }

    /// <summary>Appends an entry to the current segment (not yet durable: see <see cref="Commit"/>).</summary>
    public void Append(JournalRecord record)
    {
        var bytes = record.EncodeFramed();
        lock (_gate)
        {
            if (_segments[_activeId] > 0 && _segments[_activeId] + bytes.Length > _segmentBytes)
            {
                Roll();
            }

            var offset = _segments[_activeId];
            _active.Write(bytes);
            _segments[_activeId] = offset + bytes.Length;
            Apply(record.Positions);

            _maxSeq = Math.Max(_maxSeq, record.Seq);
            if (record.Kind == JournalEntryKind.Batch)
            {
                _uncommitted.Add(new JournalEntry(_nextOrdinal++, _activeId, offset, bytes.Length, record.Seq, record.CreatedAtMs));
                _uncommittedBytes += bytes.Length;
            }
        }
    }

    /// <summary>Makes every appended entry durable (one fsync for the group) and hands the batches to the publisher.</summary>
    public void Commit()
    {
        _active.Flush(flushToDisk: true);
        lock (_gate)
        {
            if (_uncommitted.Count > 0)
            {
                _pending.AddRange(_uncommitted);
                _committedUpTo = _uncommitted[^1].Ordinal;
                _pendingBytes += _uncommittedBytes;
                _uncommitted.Clear();
                _uncommittedBytes = 0;
                _entriesAdded.Pulse();
            }
        }

        WriteCursor(flush: false);
    }

    private void Apply(IReadOnlyList<SourcePosition> positions)
    {
        foreach (var p in positions)
        {
            if (p.IsTombstone)
            {
                _positions.Remove(p.Key);
            }
            else
            {
                _positions[p.Key] = p;
            }
        }
    }

    private void Roll()
    {
        _active.Flush(flushToDisk: true);
        _active.Dispose();
        _activeId++;
        OpenActive();
    }

    private void OpenActive()
    {
        _active = new FileStream(SegmentPath(_activeId), FileMode.CreateNew, FileAccess.Write, FileShare.Read | FileShare.Delete, 64 * 1024);
        _segments[_activeId] = 0;
        // Files of a directory source that are gone need no position any more.
        // Their counters stay, in a position of the folder itself (key "dir:{device}:", no path), so totals survive.
        foreach (var stale in _positions.Values.Where(p => p.Key.StartsWith("dir:", StringComparison.Ordinal) && p.Path.Length > 0 && !File.Exists(p.Path)).ToList())
        {
            _positions.Remove(stale.Key);
            var folderKey = stale.Key[..(stale.Key.IndexOf(':', 4) + 1)];
            var kept = _positions.TryGetValue(folderKey, out var f) ? f.Totals : default;
            _positions[folderKey] = new SourcePosition(folderKey, "", "", 0) { Totals = SourceTotals.Max(kept, stale.Totals) };
        }

        var checkpoint = new JournalRecord(JournalEntryKind.Checkpoint, _maxSeq, _time.GetUtcNow().ToUnixTimeMilliseconds(), "", _positions.Values.ToList(), ReadOnlyMemory<byte>.Empty);
        var bytes = checkpoint.EncodeFramed();
        _active.Write(bytes);
        _segments[_activeId] = bytes.Length;
    }

    private string SegmentPath(long id) => Path.Combine(_dir, id.ToString("D10", CultureInfo.InvariantCulture) + ".seg");

    // ---- publisher side ----

    /// <summary>The first batch after <paramref name="afterOrdinal"/> not yet acknowledged, in journal order.</summary>
    public bool TryGetNext(long afterOrdinal, out JournalEntry entry)
    {
        lock (_gate)
        {
            for (var i = _head; i < _pending.Count; i++)
            {
                var e = _pending[i];
                if (e.Ordinal > afterOrdinal && !e.Done)
                {
                    entry = e;
                    return true;
                }
            }
        }

        entry = null!;
        return false;
    }

    /// <summary>Ordinal just before the first unacknowledged batch: resend from here after a reconnect.</summary>
    public long ResendFrom
    {
        get
        {
            lock (_gate)
            {
                // Not _nextOrdinal: entries appended but not yet committed have ordinals too, and must not be skipped.
                return _head < _pending.Count ? _pending[_head].Ordinal - 1 : _committedUpTo;
            }
        }
    }

    public Task WaitForEntriesAsync(CancellationToken ct)
    {
        lock (_gate)
        {
            return _entriesAdded.WaitAsync(ct);
        }
    }

    /// <summary>Reads a batch back from its segment: the topic and the encoded logs payload.</summary>
    public (string Topic, ReadOnlyMemory<byte> Payload) Read(JournalEntry entry)
    {
        SafeFileHandle handle;
        lock (_gate)
        {
            if (!_readers.TryGetValue(entry.SegmentId, out handle!))
            {
                handle = File.OpenHandle(SegmentPath(entry.SegmentId), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                _readers[entry.SegmentId] = handle;
            }
        }

        var buffer = new byte[entry.Length];
        var n = RandomAccess.Read(handle, buffer, entry.Offset);
        if (n != entry.Length || !JournalRecord.TryDecodeFramed(buffer, out var rec, out _, out var problem))
        {
            throw new InvalidDataException($"journal entry seq {entry.Seq} in segment {entry.SegmentId} at {entry.Offset} is unreadable");
        }

        return (rec!.Topic, rec.Body);
    }

    /// <summary>The broker acknowledged this batch: the ack cursor moves over every acknowledged batch at the head, in journal order.</summary>
    public void Ack(JournalEntry entry)
    {
        lock (_gate)
        {
            if (entry.Done)
            {
                return;
            }

            entry.Done = true;
            _pendingBytes -= entry.Length;
            _ackedBatches++;
            _lastAckAt = _time.GetUtcNow();
            var moved = false;
            while (_head < _pending.Count && _pending[_head].Done)
            {
                _head++;
                moved = true;
            }

            if (moved)
            {
                _cursorDirty = true;
                if (_head > 4096 && _head > _pending.Count / 2)
                {
                    _pending.RemoveRange(0, _head);
                    _head = 0;
                }

                DeleteAcknowledgedSegments();
            }

            _spaceFreed.Pulse();
        }
    }

    /// <summary>Writes the ack cursor if it moved; the publisher calls this after a run of acknowledgements (not fsynced: a lost cursor only means resending).</summary>
    public void FlushCursor() => WriteCursor(flush: false);

    private void DeleteAcknowledgedSegments()
    {
        var firstNeeded = _head < _pending.Count ? _pending[_head].SegmentId : _uncommitted.Count > 0 ? _uncommitted[0].SegmentId : _activeId;
        foreach (var id in _segments.Keys.Where(id => id < firstNeeded && id != _activeId).ToList())
        {
            if (_readers.Remove(id, out var h))
            {
                h.Dispose();
            }

            try
            {
                File.Delete(SegmentPath(id));
                _segments.Remove(id);
            }
            catch (IOException ex)
            {
                LogDeleteFailed(ex, id);
            }
        }
    }

    // ---- status ----

    public JournalStats Stats()
    {
        lock (_gate)
        {
            var depth = 0;
            long? oldest = null;
            for (var i = _head; i < _pending.Count; i++)
            {
                if (!_pending[i].Done)
                {
                    depth++;
                    oldest ??= _pending[i].CreatedAtMs;
                }
            }

            var age = oldest is { } o ? Math.Max(0, (_time.GetUtcNow().ToUnixTimeMilliseconds() - o) / 1000.0) : 0;
            return new JournalStats(depth, _pendingBytes, _segments.Values.Sum(), _segments.Count, age, _lastAckAt, _ackedBatches, _droppedBatches, _corruptEntries, _backPressured, _maxBytes);
        }
    }

    public void Dispose()
    {
        try
        {
            Commit();
            WriteCursor(flush: true);
        }
        catch (ObjectDisposedException)
        {
        }

        _active.Dispose();
        _cursorFile.Dispose();
        lock (_gate)
        {
            foreach (var h in _readers.Values)
            {
                h.Dispose();
            }

            _readers.Clear();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Journal {Path}: cut a torn tail at {Offset} ({Bytes} bytes, {Problem}); it was never acknowledged to a source")]
    private partial void LogTornTail(string path, int offset, int bytes, string problem);

    [LoggerMessage(Level = LogLevel.Error, Message = "Journal {Path} is corrupt at {Offset} ({Bytes} bytes skipped, {Problem}): a disk fault, not a crash")]
    private partial void LogCorrupt(string path, int offset, int bytes, string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "Journal recovered: {Batches} unacknowledged batches ({Bytes} bytes) to resend, {Positions} source positions, highest seq {Seq}")]
    private partial void LogRecovered(int batches, long bytes, int positions, long seq);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Disk queue full ({Used} of {Max} bytes unacknowledged): holding the sources back until the broker acknowledges")]
    private partial void LogFull(long used, long max);

    [LoggerMessage(Level = LogLevel.Information, Message = "Disk queue has room again ({Used} bytes): sources resume")]
    private partial void LogSpaceAgain(long used);

    [LoggerMessage(Level = LogLevel.Error, Message = "Disk queue full: dropped the {Count} oldest unacknowledged batches ({Total} dropped so far)")]
    private partial void LogDropped(int count, long total);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not delete acknowledged journal segment {Id}")]
    private partial void LogDeleteFailed(Exception ex, long id);
}
