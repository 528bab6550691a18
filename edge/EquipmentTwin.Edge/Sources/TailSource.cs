using Microsoft.Extensions.Logging;

namespace EquipmentTwin.Edge.Sources;

/// <summary>
/// Follows one growing log file: reads whole lines, follows rotation (rename + new file: the old file is read
/// to its end first, through the handle still open) and truncation (same file, shorter: start again at 0), and
/// resumes from a journaled position, finding a file rotated while the agent was down by its identity.
/// </summary>
public sealed partial class TailSource(string key, string path, LineEmitter emitter, SourcePosition? start, TimeSpan poll, int maxLines, ILogger logger) : IEdgeSource
{
    public string Key { get; } = key;

    public async Task RunAsync(CancellationToken ct)
    {
        LineReader? current = null;
        LineReader? draining = null;
        try
        {
            (current, draining) = Restore();
            var lines = new List<string>(maxLines);
            while (!ct.IsCancellationRequested)
            {
                if (draining is not null)
                {
                    lines.Clear();
                    if (draining.Read(lines, maxLines, takePartial: true) > 0)
                    {
                        await emitter.EmitAsync(lines, PositionOf(draining), ct).ConfigureAwait(false);
                        continue;
                    }

                    draining.Dispose();
                    draining = null;
                }

                current ??= TryOpen(0);
                if (current is not null)
                {
                    lines.Clear();
                    if (current.Read(lines, maxLines, takePartial: false) > 0)
                    {
                        await emitter.EmitAsync(lines, PositionOf(current), ct).ConfigureAwait(false);
                        continue;
                    }

                    var atPath = FileIdentity.OfPath(path);
                    if (atPath is not null && atPath != current.Identity)
                    {
                        LogRotated(path);
                        draining = current;
                        current = TryOpen(0);
                        continue;
                    }

                    if (current.Length < current.Offset)
                    {
                        LogTruncated(path, current.Offset);
                        current.Offset = 0;
                        continue;
                    }
                }

                await Task.Delay(poll, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        finally
        {
            current?.Dispose();
            draining?.Dispose();
        }
    }

    private SourcePosition PositionOf(LineReader reader) => new(Key, path, reader.Identity, reader.Offset);

    private (LineReader? Current, LineReader? Draining) Restore()
    {
        if (start is null)
        {
            return (TryOpen(0), null);
        }

        var current = TryOpen(0);
        if (current is not null && current.Identity == start.Identity)
        {
            if (current.Length >= start.Offset)
            {
                current.Offset = start.Offset;
            }
            else
            {
                LogTruncated(path, start.Offset);
            }

            return (current, null);
        }

        // The file was rotated while the agent was down: finish the old one (found by identity) first.
        var rotated = FindByIdentity(start.Identity);
        if (rotated is not null)
        {
            LogResumeRotated(rotated.Path, start.Offset);
            rotated.Offset = Math.Min(start.Offset, rotated.Length);
            return (current, rotated);
        }

        LogLostRotated(path, start.Offset);
        return (current, null);
    }

    private LineReader? FindByIdentity(string identity)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is null || !Directory.Exists(dir))
        {
            return null;
        }

        foreach (var candidate in Directory.EnumerateFiles(dir))
        {
            try
            {
                var handle = FileIdentity.OpenRead(candidate);
                var id = FileIdentity.Of(handle);
                if (id == identity)
                {
                    return new LineReader(candidate, handle, id, 0);
                }

                handle.Dispose();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // unreadable neighbour: not ours
            }
        }

        return null;
    }

    private LineReader? TryOpen(long offset)
    {
        try
        {
            var handle = FileIdentity.OpenRead(path);
            return new LineReader(path, handle, FileIdentity.Of(handle), offset);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Path} was rotated: reading the old file to its end, then the new one from the start")]
    private partial void LogRotated(string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Path} was truncated below offset {Offset}: reading again from the start")]
    private partial void LogTruncated(string path, long offset);

    [LoggerMessage(Level = LogLevel.Information, Message = "Resuming rotated file {Path} at offset {Offset}")]
    private partial void LogResumeRotated(string path, long offset);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Path} was rotated while the agent was down and the old file (read to offset {Offset}) is gone: its unread tail is lost")]
    private partial void LogLostRotated(string path, long offset);
}
