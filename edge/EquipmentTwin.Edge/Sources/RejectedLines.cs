using System.Text;

namespace EquipmentTwin.Edge.Sources;

/// <summary>Keeps unparseable lines aside: <c>{DataDir}/rejected/{deviceId}.log</c>, one <c>reason&lt;TAB&gt;line</c> per line.</summary>
public sealed class RejectedLines : IDisposable
{
    private readonly string _dir;
    private readonly Dictionary<string, StreamWriter> _writers = new(StringComparer.Ordinal);
    private long _total;

    public RejectedLines(string dataDir)
    {
        _dir = Path.Combine(dataDir, "rejected");
        Directory.CreateDirectory(_dir);
    }

    public long Total => Interlocked.Read(ref _total);

    public void Write(string deviceId, string reason, string line)
    {
        Interlocked.Increment(ref _total);
        lock (_writers)
        {
            if (!_writers.TryGetValue(deviceId, out var w))
            {
                w = new StreamWriter(new FileStream(Path.Combine(_dir, deviceId + ".log"), FileMode.Append, FileAccess.Write, FileShare.ReadWrite), new UTF8Encoding(false)) { AutoFlush = true };
                _writers[deviceId] = w;
            }

            w.Write(reason.Replace('\t', ' '));
            w.Write('\t');
            w.Write(line.Replace('\n', ' '));
            w.Write('\n');
        }
    }

    public void Flush()
    {
        lock (_writers)
        {
            foreach (var w in _writers.Values)
            {
                w.Flush();
            }
        }
    }

    public void Dispose()
    {
        lock (_writers)
        {
            foreach (var w in _writers.Values)
            {
                w.Dispose();
            }

            _writers.Clear();
        }
    }
}
