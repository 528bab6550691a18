using Microsoft.Extensions.Logging;

namespace EquipmentTwin.Edge.Sources;

/// <summary>
/// A folder a vendor tool drops files into (or writes one file per day into, as the simulator's <c>files</c> mode
/// does): every file matching the pattern is read in name order from its journaled offset; files that grow are
/// followed; a file replaced under the same name (new identity) is read from the start.
/// </summary>
public sealed partial class DirectorySource(string device, string directory, string pattern, LineEmitter emitter,
    IReadOnlyDictionary<string, SourcePosition> start, TimeSpan poll, int maxLines, TimeProvider time, ILogger logger) : IEdgeSource
{
    /// <summary>A last line without '\n' is taken once the file has not changed for this long.</summary>
    private static readonly TimeSpan QuietPeriod = TimeSpan.FromSeconds(2);

    public static string KeyPrefix(string device) => $"dir:{device}:";

    /// <summary>Where each file resumes: the journaled positions, then every position handed on (kept across a restart after a failure).</summary>
    private Dictionary<string, (string Identity, long Offset)>? _known;

    public async Task RunAsync(CancellationToken ct)
    {
        var known = _known ??= start.Values
            .Where(p => p.Key.StartsWith(KeyPrefix(device), StringComparison.Ordinal) && p.Path.Length > 0)
            .ToDictionary(p => p.Path, p => (p.Identity, p.Offset), StringComparer.Ordinal);

        var lines = new List<string>(maxLines);
        try
        {
            while (!ct.IsCancellationRequested)
            {
                if (Directory.Exists(directory))
                {
                    var files = Directory.EnumerateFiles(directory, pattern).Select(Path.GetFullPath).Order(StringComparer.Ordinal).ToList();
                    foreach (var file in files)
                    {
                        await ReadFileAsync(file, known, lines, ct).ConfigureAwait(false);
                    }
                }

                await Task.Delay(poll, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private async Task ReadFileAsync(string file, Dictionary<string, (string Identity, long Offset)> known, List<string> lines, CancellationToken ct)
    {
        var info = new FileInfo(file);
        if (!info.Exists || (known.TryGetValue(file, out var state) && info.Length == state.Offset))
        {
            return;
        }

        LineReader reader;
        try
        {
            var handle = FileIdentity.OpenRead(file);
            var id = FileIdentity.Of(handle);
            var offset = 0L;
            if (known.TryGetValue(file, out state) && state.Identity == id)
            {
                offset = info.Length >= state.Offset ? state.Offset : 0;
            }
            else if (state.Identity is not null)
            {
                LogReplaced(file);
            }

            reader = new LineReader(file, handle, id, offset);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogUnreadable(ex, file);
            return;
        }

        using (reader)
        {
            var quiet = time.GetUtcNow() - info.LastWriteTimeUtc > QuietPeriod;
            while (true)
            {
                lines.Clear();
                if (reader.Read(lines, maxLines, takePartial: quiet) == 0)
                {
                    break;
                }

                await emitter.EmitAsync(lines, new SourcePosition(KeyPrefix(device) + file, file, reader.Identity, reader.Offset), ct).ConfigureAwait(false);
                known[file] = (reader.Identity, reader.Offset);
            }

            known[file] = (reader.Identity, reader.Offset);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{File} was replaced by a new file of the same name: reading it from the start")]
    private partial void LogReplaced(string file);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot read {File}")]
    private partial void LogUnreadable(Exception ex, string file);
}
