using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;

namespace EquipmentTwin.Edge.Sources;

/// <summary>
/// Losses the agent could not prevent (a rotated file deleted before it was read, a truncation whose copy cannot be
/// found): each is counted on its source, logged as a warning naming the file, byte range and reason, appended to
/// <c>{DataDir}/losses.log</c> (one JSON object a line), and the latest are shown in <c>/status</c>.
/// </summary>
public sealed partial class LossLog
{
    private const int Kept = 20;
    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    private readonly string _file;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly LinkedList<LossEvent> _recent = new();

    public LossLog(string dataDir, TimeProvider time, ILogger<LossLog> logger)
    {
        Directory.CreateDirectory(dataDir);
        _file = Path.Combine(dataDir, "losses.log");
        _time = time;
        _logger = logger;
        if (File.Exists(_file))
        {
            foreach (var line in File.ReadLines(_file).TakeLast(Kept))
            {
                try
                {
                    if (JsonSerializer.Deserialize<LossEvent>(line, Json) is { } e)
                    {
                        _recent.AddLast(e);
                    }
                }
                catch (JsonException ex)
                {
                    LogUnreadable(ex, _file);
                }
            }
        }
    }

    /// <summary>The latest losses, oldest first (also those of earlier runs).</summary>
    public IReadOnlyList<LossEvent> Recent
    {
        get
        {
            lock (_recent)
            {
                return _recent.ToList();
            }
        }
    }

    /// <summary>
    /// Counts and reports a loss of the bytes <paramref name="from"/>..<paramref name="to"/> of <paramref name="file"/>;
    /// <paramref name="to"/> equal to <paramref name="from"/> when the agent cannot know how many bytes there were (the reason says so).
    /// </summary>
    public void Report(SourceCounters counters, string file, long from, long to, string reason)
    {
        var bytes = Math.Max(0, to - from);
        counters.AddLoss(bytes);
        var e = new LossEvent(counters.Device, counters.Kind, file, from, Math.Max(from, to), bytes, reason,
            _time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        LogLoss(counters.Device, file, from, e.To, bytes, reason);
        lock (_recent)
        {
            _recent.AddLast(e);
            while (_recent.Count > Kept)
            {
                _recent.RemoveFirst();
            }

            try
            {
                File.AppendAllText(_file, JsonSerializer.Serialize(e, Json) + "\n", Encoding.UTF8);
            }
            catch (IOException ex)
            {
                LogUnwritable(ex, _file);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost data of {Device}: {File} bytes {From}..{To} ({Bytes} bytes): {Reason}")]
    private partial void LogLoss(string device, string file, long from, long to, long bytes, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read a line of {File}")]
    private partial void LogUnreadable(Exception ex, string file);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not append to {File}")]
    private partial void LogUnwritable(Exception ex, string file);
}
