using Microsoft.Extensions.Logging;

namespace EquipmentTwin.Edge.Sources;

/// <summary>
/// Follows one growing log file through every way a vendor tool or logrotate rotates it (docs/edge.md, "Rotation"):
/// <list type="bullet">
/// <item>rename + create: the renamed file is followed until it has been idle for <c>Edge:RotateWaitMs</c> (the writer
/// may reopen late), then closed but watched: if it grows again, the new bytes are read (identity by device + inode);</item>
/// <item>compression: a watched file that is gone is looked for as a <c>.gz</c> with the same first bytes, and read
/// skipping what the plain file gave;</item>
/// <item>copytruncate: a shorter file, or one whose first bytes changed, was truncated; the copy (same first bytes, another
/// inode) is read from where the agent was; bytes that are in neither are reported as lost;</item>
/// <item>restart: resumes from the journaled positions, also of rotated files, and finds a file rotated meanwhile by identity.</item>
/// </list>
/// Each rotated file has a journal position of its own (<c>{key}|rotated:{identity}</c>), written before the new file's
/// first position, so a crash at any point resumes every file where its journaled lines end.
/// </summary>
public sealed partial class TailSource : IEdgeSource
{
    private readonly string _path;
    private readonly string _dir;
    private readonly string _stem;
    private readonly LineEmitter _emitter;
    /// <summary>Where each file of this source resumes: the journaled positions at start, then every position handed on since.</summary>
    private readonly Dictionary<string, SourcePosition> _resume;
    private readonly TimeSpan _poll;
    private readonly TimeSpan _rotateWait;
    private readonly TimeSpan _scanEvery;
    private readonly int _maxLines;
    private readonly LossLog _losses;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly List<RotatedFile> _rotated = [];
    private readonly List<string> _lines;
    private LineReader? _current;
    private DateTimeOffset _nextScan;

    /// <summary>While a truncation is handled the main position must not be journaled until it is 0 (the truncation emits it).</summary>
    private bool _truncating;

    public TailSource(string key, string path, LineEmitter emitter, IReadOnlyDictionary<string, SourcePosition> start, TimeSpan poll, TimeSpan rotateWait,
        int maxLines, LossLog losses, TimeProvider time, ILogger logger)
    {
        Key = key;
        _path = path;
        _dir = System.IO.Path.GetDirectoryName(path) ?? ".";
        _stem = System.IO.Path.GetFileNameWithoutExtension(path);
        _emitter = emitter;
        var rotatedPrefix = RotatedKeyPrefix(key);
        _resume = start.Values.Where(p => p.Key == key || p.Key.StartsWith(rotatedPrefix, StringComparison.Ordinal)).ToDictionary(p => p.Key, StringComparer.Ordinal);
        _poll = poll;
        _rotateWait = rotateWait;
        _scanEvery = TimeSpan.FromMilliseconds(Math.Clamp(rotateWait.TotalMilliseconds, poll.TotalMilliseconds, 1000));
        _maxLines = maxLines;
        _losses = losses;
        _time = time;
        _logger = logger;
        _lines = new List<string>(maxLines);
    }

    public string Key { get; }

    private SourceCounters Counters => _emitter.Counters;

    /// <summary>Journal key of a rotated file of the source <paramref name="key"/>.</summary>
    public static string RotatedKeyPrefix(string key) => key + "|rotated:";

    public async Task RunAsync(CancellationToken ct)
    {
        try
        {
            await RestoreAsync(ct).ConfigureAwait(false);
            while (!ct.IsCancellationRequested)
            {
                var progressed = await FollowRotatedAsync(ct).ConfigureAwait(false);
                progressed |= await FollowCurrentAsync(ct).ConfigureAwait(false);
                if (_time.GetUtcNow() >= _nextScan)
                {
                    await ScanClosedAsync(ct).ConfigureAwait(false);
                    _nextScan = _time.GetUtcNow() + _scanEvery;
                }

                Counters.Rotated = _rotated.Select(r => new FollowedFile(r.Path, r.Offset, r.Reader is not null)).ToList();
                if (!progressed)
                {
                    await Task.Delay(_poll, _time, ct).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        finally
        {
            _current?.Dispose();
            _current = null;
            foreach (var r in _rotated)
            {
                r.Reader?.Dispose();
                r.Reader = null;
            }

            _rotated.Clear();
        }
    }

    // ---- start ----

    private async Task RestoreAsync(CancellationToken ct)
    {
        var prefix = RotatedKeyPrefix(Key);
        foreach (var p in _resume.Values.Where(p => p.Key.StartsWith(prefix, StringComparison.Ordinal)))
        {
            _rotated.Add(new RotatedFile(p.Key, p.Identity, p.Path, p.Offset, p.Fingerprint));
        }

        _current = TryOpen();
        if (_current is not null)
        {
            OnNewCurrent();
        }

        if (_resume.GetValueOrDefault(Key) is { } main)
        {
            if (_current is not null && _current.Identity == main.Identity)
            {
                var length = _current.Length;
                if (length < main.Offset || (main.Fingerprint.Length > 0 && !FileFingerprint.Matches(_current.Handle, main.Fingerprint)))
                {
                    await TruncatedAsync(_current, main.Offset, main.Offset, main.Fingerprint, ct, whileDown: true).ConfigureAwait(false);
                }
                else
                {
                    _current.Offset = main.Offset;
                    Counters.SetPosition(main.Offset);
                }
            }
            else if (_rotated.All(r => r.Identity != main.Identity))
            {
                // Rotated while the agent was down: the old file is followed like any rotated file; its position goes to the
                // journal under its own key before the new file's first position replaces the main key.
                var r = new RotatedFile(RotatedKeyPrefix(Key) + main.Identity, main.Identity, main.Path, main.Offset, main.Fingerprint) { UnknownTail = true };
                _rotated.Add(r);
                LogResumeRotated(_path, main.Offset);
                await EmitPositionAsync(r.Position, ct).ConfigureAwait(false);
            }
        }

        _nextScan = _time.GetUtcNow();
    }

    // ---- the file at the path ----

    private async Task<bool> FollowCurrentAsync(CancellationToken ct)
    {
        if (_current is null)
        {
            _current = TryOpen();
            if (_current is null)
            {
                return false;
            }

            OnNewCurrent();
        }

        var c = _current;
        var length = c.Length;
        if (length < c.Offset || (length != c.SeenLength && c.Fingerprint.Length > 0 && !FileFingerprint.Matches(c.Handle, c.Fingerprint)))
        {
            // Shorter than what was read, or the first bytes changed (truncated and written past the old offset within one poll).
            await TruncatedAsync(c, c.Offset, c.SeenLength, c.Fingerprint, ct).ConfigureAwait(false);
            return true;
        }

        Counters.SetLength(c.Observe());
        _lines.Clear();
        if (c.Read(_lines, _maxLines, takePartial: false) > 0)
        {
            await EmitAsync(_lines, CurrentPosition(c), primary: true, ct).ConfigureAwait(false);
            return true;
        }

        var atPath = FileIdentity.OfPath(_path);
        if (atPath is null || atPath == c.Identity)
        {
            return false;
        }

        // Rename + create: keep following the renamed file through the handle still open, until its writer is done.
        var renamed = FindByIdentity(c.Identity, except: null);
        var name = renamed?.Path ?? _path;
        renamed?.Dispose();
        var rotated = new RotatedFile(RotatedKeyPrefix(Key) + c.Identity, c.Identity, name, c.Offset, c.Fingerprint)
        {
            Reader = c,
            LastLength = c.SeenLength,
            LastGrowth = _time.GetUtcNow(),
        };
        _rotated.Add(rotated);
        LogRotated(_path, name, _rotateWait.TotalSeconds);
        await EmitPositionAsync(rotated.Position, ct).ConfigureAwait(false);
        _current = TryOpen();
        if (_current is not null)
        {
            OnNewCurrent();
        }

        return true;
    }

    private void OnNewCurrent()
    {
        var c = _current!;
        Counters.CurrentFile = _path;
        Counters.SetPosition(c.Offset);
        Counters.SetLength(c.Observe());
    }

    private SourcePosition CurrentPosition(LineReader c) => new(Key, _path, c.Identity, c.Offset) { Fingerprint = c.Fingerprint };

    /// <summary>
    /// The file at the path is shorter than what was read, or starts with other bytes: truncated (copytruncate), or, seen
    /// only at a restart, also a new file that reuses the old one's inode. Reads the copy if there is one; reports bytes in neither.
    /// </summary>
    private async Task TruncatedAsync(LineReader c, long from, long seen, string fingerprint, CancellationToken ct, bool whileDown = false)
    {
        LogTruncated(_path, from);
        _truncating = true;
        var copy = FindCopy(fingerprint, c.Identity);
        long copyEnd;
        if (copy is LineReader plain)
        {
            copyEnd = plain.Length;
            plain.Offset = Math.Min(from, copyEnd);
            var r = new RotatedFile(RotatedKeyPrefix(Key) + plain.Identity, plain.Identity, plain.Path, plain.Offset, fingerprint)
            {
                Reader = plain,
                LastLength = copyEnd,
                LastGrowth = _time.GetUtcNow(),
            };
            _rotated.Add(r);
            LogCopyFound(_path, plain.Path, plain.Offset);
            await EmitPositionAsync(r.Position, ct).ConfigureAwait(false);
        }
        else if (copy is string gz)
        {
            var r = new RotatedFile(RotatedKeyPrefix(Key) + "gz:" + FileIdentity.OfPath(gz), "", gz, from, fingerprint);
            _rotated.Add(r);
            LogCopyFound(_path, gz, from);
            copyEnd = await ReadGzipAsync(r, gz, ct).ConfigureAwait(false);
        }
        else
        {
            copyEnd = from;
        }

        if (whileDown && copy is null)
        {
            _losses.Report(Counters, _path, from, from,
                "changed while the agent was down (truncated, or rotated away and replaced by a new file that reuses the inode) and no copy of the old file is in the folder: lines after this offset, if any, could not be read");
        }
        else if (seen > Math.Max(from, copyEnd))
        {
            var start = Math.Max(from, copyEnd);
            _losses.Report(Counters, _path, start, seen, copy is null
                ? "truncated (copytruncate) before these bytes were read, and no copy of the file with the same first bytes is in the folder"
                : "truncated (copytruncate): these bytes were written after the copy was taken and before the truncation");
        }

        c.Restart();
        _truncating = false;
        Counters.SetLength(c.SeenLength);
        await EmitAsync([], CurrentPosition(c), primary: true, ct).ConfigureAwait(false);
    }

    // ---- rotated files ----

    private async Task<bool> FollowRotatedAsync(CancellationToken ct)
    {
        var progressed = false;
        foreach (var r in _rotated.ToList())
        {
            if (r.Reader is not { } reader)
            {
                continue;
            }

            var now = _time.GetUtcNow();
            var length = reader.Observe();
            if (length != r.LastLength)
            {
                r.LastLength = length;
                r.LastGrowth = now;
            }

            var idle = now - r.LastGrowth >= _rotateWait;
            _lines.Clear();
            if (reader.Read(_lines, _maxLines, takePartial: idle) > 0)
            {
                r.Offset = reader.Offset;
                r.Fingerprint = reader.Fingerprint;
                await EmitAsync(_lines, r.Position, primary: false, ct).ConfigureAwait(false);
                progressed = true;
            }
            else if (idle)
            {
                // The writer is done with it: close it, but keep its position so late growth is still read (ScanClosedAsync).
                reader.Dispose();
                r.Reader = null;
                LogClosed(r.Path, r.Offset, _rotateWait.TotalSeconds);
            }
        }

        return progressed;
    }

    /// <summary>Rotated files already closed: read again if they grew, read their <c>.gz</c> if they were compressed, forget them when gone.</summary>
    private async Task ScanClosedAsync(CancellationToken ct)
    {
        foreach (var r in _rotated.Where(r => r.Reader is null).ToList())
        {
            if (r.Path.EndsWith(".gz", StringComparison.Ordinal))
            {
                // A crash interrupted reading the compressed file: go on where the journal says.
                if (FileFingerprint.MatchesGzip(r.Path, r.Fingerprint))
                {
                    await ReadGzipAsync(r, r.Path, ct).ConfigureAwait(false);
                }
                else
                {
                    await ForgetAsync(r, ct).ConfigureAwait(false);
                }

                continue;
            }

            if (new FileInfo(r.Path) is { Exists: true } info && info.Length <= r.Offset && FileIdentity.OfPath(r.Path) == r.Identity)
            {
                continue; // still there, not grown
            }

            var found = OpenIfIdentity(r.Path, r.Identity) ?? FindByIdentity(r.Identity, except: r.Path);
            if (found is not null)
            {
                r.Path = found.Path;
                if (r.UnknownTail)
                {
                    r.UnknownTail = false;
                    await AdoptUnseenGenerationsAsync(File.GetLastWriteTimeUtc(found.Path), found.Path, ct).ConfigureAwait(false);
                }

                if (found.Length > r.Offset)
                {
                    found.Offset = r.Offset;
                    r.Reader = found;
                    r.LastLength = -1;
                    r.LastGrowth = _time.GetUtcNow();
                    LogGrewAgain(found.Path, r.Offset);
                }
                else
                {
                    found.Dispose();
                }

                continue;
            }

            if (FindGzip(r) is { } gz)
            {
                if (r.UnknownTail)
                {
                    await AdoptUnseenGenerationsAsync(File.GetLastWriteTimeUtc(gz), gz, ct).ConfigureAwait(false);
                }

                await ReadGzipAsync(r, gz, ct).ConfigureAwait(false);
                continue;
            }

            if (r.UnknownTail)
            {
                _losses.Report(Counters, r.Path, r.Offset, r.Offset,
                    "rotated while the agent was down and the old file is gone (deleted, moved elsewhere, or compressed without a matching .gz here): lines after this offset, if any, could not be read");
            }
            else
            {
                LogGone(r.Path, r.Offset);
            }

            await ForgetAsync(r, ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// More than one rotation while the agent was down: files beside the old one (named <c>{name}…</c>) written after it
    /// (mtime later; gzip keeps the mtime) are generations the agent never saw. They are read whole, oldest first: a
    /// plain one is followed like any rotated file from 0, a compressed one is read at once.
    /// </summary>
    private async Task AdoptUnseenGenerationsAsync(DateTime oldFileWrittenAt, string oldFile, CancellationToken ct)
    {
        var name = System.IO.Path.GetFileName(_path);
        var tracked = _rotated.Select(r => r.Identity).ToHashSet(StringComparer.Ordinal);
        var unseen = Siblings()
            .Where(f => f != oldFile && System.IO.Path.GetFileName(f).StartsWith(name, StringComparison.Ordinal))
            .Select(f => (File: f, WrittenAt: File.GetLastWriteTimeUtc(f)))
            .Where(f => f.WrittenAt > oldFileWrittenAt)
            .OrderBy(f => f.WrittenAt)
            .ToList();
        foreach (var (file, _) in unseen)
        {
            if (file.EndsWith(".gz", StringComparison.Ordinal))
            {
                LogUnseenGeneration(file);
                await ReadGzipAsync(new RotatedFile(RotatedKeyPrefix(Key) + "gz:" + FileIdentity.OfPath(file), "", file, 0, ""), file, ct).ConfigureAwait(false);
                continue;
            }

            var id = FileIdentity.OfPath(file);
            if (id is null || tracked.Contains(id) || (_current is { } c && c.Identity == id))
            {
                continue;
            }

            LogUnseenGeneration(file);
            var r = new RotatedFile(RotatedKeyPrefix(Key) + id, id, file, 0, "");
            _rotated.Add(r); // closed at offset 0: the next scan opens and follows it
            tracked.Add(id);
            await EmitPositionAsync(r.Position, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Reads a compressed rotated file from the offset the plain file was read to; returns the decompressed end.</summary>
    private async Task<long> ReadGzipAsync(RotatedFile r, string gz, CancellationToken ct)
    {
        LogReadingGzip(gz, r.Offset);
        r.Path = gz;
        long end;
        try
        {
            using var reader = new GzipLineReader(gz, r.Offset);
            while (true)
            {
                _lines.Clear();
                if (reader.Read(_lines, _maxLines) == 0)
                {
                    break;
                }

                r.Offset = reader.Offset;
                await EmitAsync(_lines, r.Position, primary: false, ct).ConfigureAwait(false);
            }

            end = reader.Offset;
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            _losses.Report(Counters, gz, r.Offset, r.Offset, "the compressed rotated file cannot be read: " + ex.Message);
            end = r.Offset;
        }

        await ForgetAsync(r, ct).ConfigureAwait(false);
        return end;
    }

    private async Task ForgetAsync(RotatedFile r, CancellationToken ct)
    {
        r.Reader?.Dispose();
        r.Reader = null;
        _rotated.Remove(r);
        await EmitPositionAsync(SourcePosition.Forget(r.Key), ct).ConfigureAwait(false);
        if (_current is { } c && !_truncating)
        {
            // The forgotten key may have carried the latest counters: the main position carries them on.
            await EmitAsync([], CurrentPosition(c), primary: true, ct).ConfigureAwait(false);
        }
    }

    private Task EmitPositionAsync(SourcePosition position, CancellationToken ct) => EmitAsync([], position, primary: false, ct);

    /// <summary>Hands lines and their position to the batcher, and remembers the position: a restart after a failure resumes there.</summary>
    private async Task EmitAsync(List<string> lines, SourcePosition position, bool primary, CancellationToken ct)
    {
        await _emitter.EmitAsync(lines, position, ct, primary).ConfigureAwait(false);
        if (position.IsTombstone)
        {
            _resume.Remove(position.Key);
        }
        else
        {
            _resume[position.Key] = position;
        }
    }

    // ---- finding files ----

    /// <summary>Files beside the tailed one that may be its rotated generations: same name stem (mr.log.1, mr.log-20261129, mr.1.log, mr.log.2.gz).</summary>
    private IEnumerable<string> Siblings()
    {
        if (!Directory.Exists(_dir))
        {
            return [];
        }

        return Directory.EnumerateFiles(_dir, _stem + "*").Where(f => f != _path).Order(StringComparer.Ordinal);
    }

    private LineReader? FindByIdentity(string identity, string? except)
    {
        foreach (var candidate in Siblings().Where(f => f != except && !f.EndsWith(".gz", StringComparison.Ordinal)))
        {
            if (OpenIfIdentity(candidate, identity) is { } found)
            {
                return found;
            }
        }

        return null;
    }

    private static LineReader? OpenIfIdentity(string path, string identity)
    {
        try
        {
            var handle = FileIdentity.OpenRead(path);
            var id = FileIdentity.Of(handle);
            if (id == identity)
            {
                return new LineReader(path, handle, id, 0);
            }

            handle.Dispose();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // gone or unreadable: not this one
        }

        return null;
    }

    /// <summary>The copy copytruncate made: a plain sibling with the same first bytes (a <see cref="LineReader"/>), else a <c>.gz</c> one (its path), else null.</summary>
    private object? FindCopy(string fingerprint, string exceptIdentity)
    {
        if (fingerprint.Length == 0)
        {
            return null;
        }

        var tracked = _rotated.Select(r => r.Identity).ToHashSet(StringComparer.Ordinal);
        var gz = new List<string>();
        foreach (var candidate in Siblings())
        {
            if (candidate.EndsWith(".gz", StringComparison.Ordinal))
            {
                gz.Add(candidate);
                continue;
            }

            try
            {
                var handle = FileIdentity.OpenRead(candidate);
                var id = FileIdentity.Of(handle);
                if (id != exceptIdentity && !tracked.Contains(id) && FileFingerprint.Matches(handle, fingerprint))
                {
                    return new LineReader(candidate, handle, id, 0);
                }

                handle.Dispose();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // gone or unreadable: not the copy
            }
        }

        return gz.FirstOrDefault(f => FileFingerprint.MatchesGzip(f, fingerprint));
    }

    private string? FindGzip(RotatedFile r)
    {
        var direct = r.Path + ".gz";
        if (File.Exists(direct) && FileFingerprint.MatchesGzip(direct, r.Fingerprint))
        {
            return direct;
        }

        return Siblings().Where(f => f.EndsWith(".gz", StringComparison.Ordinal) && f != direct).FirstOrDefault(f => FileFingerprint.MatchesGzip(f, r.Fingerprint));
    }

    private LineReader? TryOpen()
    {
        try
        {
            var handle = FileIdentity.OpenRead(_path);
            return new LineReader(_path, handle, FileIdentity.Of(handle), 0);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>A file that was at the path before: followed while its writer may still append, then watched.</summary>
    private sealed class RotatedFile(string key, string identity, string path, long offset, string fingerprint)
    {
        public string Key { get; } = key;
        public string Identity { get; } = identity;
        public string Path { get; set; } = path;
        public long Offset { get; set; } = offset;
        public string Fingerprint { get; set; } = fingerprint;

        /// <summary>Open while followed; null once closed (idle for the grace).</summary>
        public LineReader? Reader { get; set; }

        public long LastLength { get; set; }
        public DateTimeOffset LastGrowth { get; set; }

        /// <summary>Was the current file when the agent stopped: what was written after the offset was never seen.</summary>
        public bool UnknownTail { get; set; }

        public SourcePosition Position => new(Key, Path, Identity, Offset) { Fingerprint = Fingerprint };
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Path} was rotated to {Rotated}: following the old file until it has been idle for {Grace} s, and the new one from the start")]
    private partial void LogRotated(string path, string rotated, double grace);

    [LoggerMessage(Level = LogLevel.Information, Message = "Closed rotated file {Path} at offset {Offset} after {Grace} s without growth; it is still watched")]
    private partial void LogClosed(string path, long offset, double grace);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rotated file {Path} grew after it was closed: reading from offset {Offset}")]
    private partial void LogGrewAgain(string path, long offset);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reading compressed rotated file {Path} from decompressed offset {Offset}")]
    private partial void LogReadingGzip(string path, long offset);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rotated file {Path} (read to offset {Offset}) is gone; it had been read to its end")]
    private partial void LogGone(string path, long offset);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Path} was truncated below offset {Offset}, or replaced by a new file reusing its inode (its first bytes changed): reading it from the start")]
    private partial void LogTruncated(string path, long offset);

    [LoggerMessage(Level = LogLevel.Information, Message = "Copy of truncated {Path} found: {Copy}, reading it from offset {Offset}")]
    private partial void LogCopyFound(string path, string copy, long offset);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Path} was written and rotated while the agent was down: reading it whole")]
    private partial void LogUnseenGeneration(string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Path} was rotated while the agent was down: finishing the old file from offset {Offset} first")]
    private partial void LogResumeRotated(string path, long offset);
}
