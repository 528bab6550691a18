using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Analytics.History;

/// <summary>Bounded event history of a device: daily counts per code and per severity, and recent timestamps per code.</summary>
public sealed class EventHistory
{
    public const int Days = 120;
    public const int RecentPerCode = 512;
    private const long DayMs = 86_400_000;

    private readonly Dictionary<string, CodeHistory> _codes = new(StringComparer.Ordinal);
    private readonly SignalSeries[] _bySeverity = Enumerable.Range(0, 4).Select(_ => new SignalSeries(DayMs, Days)).ToArray();
    private readonly long[] _severityDay = new long[4];
    private readonly int[] _severityCount = new int[4];

    public IReadOnlyCollection<string> Codes => _codes.Keys;

    public void Add(in LogRecord record)
    {
        var code = record.Code!;
        if (!_codes.TryGetValue(code, out var h))
        {
            _codes[code] = h = new CodeHistory();
        }

        h.Add(record.TimestampMs);
        var s = (int)record.Severity;
        var day = record.TimestampMs / DayMs;
        if (_severityCount[s] > 0 && day != _severityDay[s])
        {
            _bySeverity[s].Add(new SeriesPoint(_severityDay[s] * DayMs, _severityCount[s], _severityCount[s], _severityCount[s], _severityCount[s], _severityCount[s]));
            _severityCount[s] = 0;
        }

        _severityDay[s] = day;
        _severityCount[s]++;
    }

    /// <summary>How many events of <paramref name="code"/> in [fromMs, toMs]; exact up to <see cref="RecentPerCode"/>.</summary>
    public int Count(string code, long fromMs, long toMs) => _codes.TryGetValue(code, out var h) ? h.Count(fromMs, toMs) : 0;

    /// <summary>Events of <paramref name="code"/> per day for whole days in [fromMs, toMs), oldest first; days without events count 0.</summary>
    public double[] DailyCounts(string code, long fromMs, long toMs)
    {
        var firstDay = fromMs / DayMs;
        var lastDay = (toMs - 1) / DayMs;
        var result = new double[Math.Max(0, (int)(lastDay - firstDay + 1))];
        if (_codes.TryGetValue(code, out var h))
        {
            h.FillDaily(firstDay, result);
        }

        return result;
    }

    /// <summary>Events of a severity per day (closed days only).</summary>
    public SignalSeries DailyBySeverity(Severity severity) => _bySeverity[(int)severity];

    public long? LastMs(string code) => _codes.TryGetValue(code, out var h) ? h.LastMs : null;

    private sealed class CodeHistory
    {
        private readonly long[] _recent = new long[RecentPerCode];
        private readonly int[] _daily = new int[Days];
        private readonly long[] _dailyDay = new long[Days];
        private int _next;
        private int _stored;

        public long? LastMs { get; private set; }

        public void Add(long ts)
        {
            _recent[_next] = ts;
            _next = (_next + 1) % RecentPerCode;
            _stored = Math.Min(_stored + 1, RecentPerCode);
            LastMs = LastMs is { } last && last > ts ? last : ts;
            var day = ts / DayMs;
            var slot = (int)(day % Days);
            if (_dailyDay[slot] != day)
            {
                _dailyDay[slot] = day;
                _daily[slot] = 0;
            }

            _daily[slot]++;
        }

        public int Count(long fromMs, long toMs)
        {
            var n = 0;
            for (var i = 0; i < _stored; i++)
            {
                var t = _recent[i];
                if (t >= fromMs && t <= toMs)
                {
                    n++;
                }
            }

            return n;
        }

        public void FillDaily(long firstDay, double[] result)
        {
            for (var i = 0; i < result.Length; i++)
            {
                var day = firstDay + i;
                var slot = (int)(((day % Days) + Days) % Days);
                result[i] = _dailyDay[slot] == day ? _daily[slot] : 0;
            }
        }
    }
}
