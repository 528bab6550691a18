using System.Globalization;
using EquipmentTwin.Analytics.Engines;
using EquipmentTwin.Analytics.History;

namespace EquipmentTwin.Analytics.Anomaly;

/// <summary>
/// Finds sensor faults in one device's data so they are reported as data quality and masked out of the
/// anomaly features: stuck (flat over ≥ 6 h of hourly data though the baseline varies), spikes (isolated
/// 5-minute buckets ≥ 8 robust σ off their neighbours that return at once, ≥ 3 times in 24 h) and
/// dropout (silent for more than max(1 h, 6 × sampleSeconds) while the device's other signals arrive).
/// A signal the catalog marks as sent only during use (per scan, exposure or sequence) is masked while silent in
/// the same way, but reported as a dropout only when another during-use signal arrived after it was due: silence
/// between scans is the device idling, not a lost channel.
/// </summary>
internal sealed class DataQualityMonitor
{
    public const int StuckHours = 6;
    public const double SpikeSigma = 8;
    public const double ReturnSigma = 3;
    public const int SpikesToReport = 3;
    public const long SpikeMemoryMs = 24 * DeviceHistory.HourMs;

    /// <summary>A signal stays masked this long after its issue clears: the slope feature looks back 24 h.</summary>
    public const long MaskGraceMs = 24 * DeviceHistory.HourMs;
    private const int Neighbours = 12;
    private const int Ring = Neighbours + 2;

    private readonly string[] _names;
    private readonly long[] _dropoutLimitMs;
    private readonly bool[] _cumulative;
    private readonly bool[] _duringUse;
    private readonly SignalState[] _state;
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
    private readonly List<DataQualityIssue> _issues = new();
    private readonly List<SeriesPoint> _points = new(8);
    private readonly List<double> _values = new(Ring);
    private bool _dirty;

    public DataQualityMonitor(AnomalyFeatures features)
    {
        var all = features.Signals.Concat(features.CumulativeSignals).ToArray();
        _names = all.Select(s => s.Name).ToArray();
        _cumulative = all.Select(s => s.Cumulative).ToArray();
        _duringUse = all.Select(s => s.DuringUseOnly).ToArray();
        _dropoutLimitMs = all.Select(s => Math.Max(DeviceHistory.HourMs, (long)(6 * s.SampleSeconds * 1000))).ToArray();
        _state = all.Select(_ => new SignalState()).ToArray();
        for (var i = 0; i < _names.Length; i++)
        {
            _index[_names[i]] = i;
        }

        Masked = new bool[_names.Length];
    }

    /// <summary>True per signal (layout index) while it has an open issue: its features are masked.</summary>
    public bool[] Masked { get; }

    public IReadOnlyList<DataQualityIssue> Issues
    {
        get
        {
            if (_dirty)
            {
                Rebuild();
            }

            return _issues;
        }
    }

    /// <summary>Remembers the latest known spread of a signal's hourly means (stuck needs a signal that moves).</summary>
    public void SetKnownStd(int i, double std)
    {
        if (std > 0)
        {
            _state[i].KnownStd = std;
        }
    }

    public void OnBucket(string signal, in SeriesPoint bucket)
    {
        if (!_index.TryGetValue(signal, out var i))
        {
            return;
        }

        var s = _state[i];
        s.Ring[s.Next] = bucket.Mean;
        s.Next = (s.Next + 1) % Ring;
        s.Filled = Math.Min(s.Filled + 1, Ring);
        if (s.Filled < Ring)
        {
            return;
        }

        // Ring order oldest..newest: candidate is the second newest; its neighbours are all the others.
        var newest = (s.Next - 1 + Ring) % Ring;
        var candidate = (s.Next - 2 + Ring) % Ring;
        var previous = (s.Next - 3 + Ring) % Ring;
        _values.Clear();
        for (var k = 0; k < Ring; k++)
        {
            if (k != candidate)
            {
                _values.Add(s.Ring[k]);
            }
        }

        var median = Robust.Median(_values);
        var sigma = Math.Max(1.4826 * Robust.Mad(_values), Math.Max(0.05 * s.KnownStd, 1e-9 * Math.Max(1, Math.Abs(median))));
        var isSpike = Math.Abs(s.Ring[candidate] - median) >= SpikeSigma * sigma
                      && Math.Abs(s.Ring[newest] - median) <= ReturnSigma * sigma
                      && Math.Abs(s.Ring[previous] - median) <= ReturnSigma * sigma;
        if (!isSpike)
        {
            return;
        }

        var at = bucket.StartMs - DeviceHistory.BucketMs;
        s.Spikes.Enqueue(at);
        s.LastSpike = at;
        while (s.Spikes.Count > 0 && s.Spikes.Peek() < at - SpikeMemoryMs)
        {
            s.Spikes.Dequeue();
        }

        if (s.Spikes.Count >= SpikesToReport)
        {
            s.SpikesSince ??= s.Spikes.Peek();
            s.SpikesUpdated = at;
            _dirty = true;
        }
    }

    /// <summary>Evaluates stuck and dropout at the end of an hour and expires spikes.</summary>
    public void OnHour(long hourEndMs, DeviceHistory history)
    {
        var newest = long.MinValue;
        var second = long.MinValue;
        var newestIndex = -1;
        var newestUse = long.MinValue;
        var secondUse = long.MinValue;
        var newestUseIndex = -1;
        for (var i = 0; i < _names.Length; i++)
        {
            if (_duringUse[i] && history.LastSeenMs(_names[i]) is { } u)
            {
                if (u > newestUse)
                {
                    (secondUse, newestUse, newestUseIndex) = (newestUse, u, i);
                }
                else if (u > secondUse)
                {
                    secondUse = u;
                }
            }

            if (history.LastSeenMs(_names[i]) is { } t)
            {
                if (t > newest)
                {
                    (second, newest, newestIndex) = (newest, t, i);
                }
                else if (t > second)
                {
                    second = t;
                }
            }
        }

        for (var i = 0; i < _names.Length; i++)
        {
            var s = _state[i];
            EvaluateStuck(i, s, hourEndMs, history);
            EvaluateDropout(i, s, hourEndMs, history, i == newestIndex ? second : newest, i == newestUseIndex ? secondUse : newestUse);
            if (s.SpikesSince is not null && s.LastSpike < hourEndMs - SpikeMemoryMs)
            {
                s.SpikesSince = null;
                s.Spikes.Clear();
                _dirty = true;
            }
        }

        if (_dirty)
        {
            Rebuild();
        }

        for (var i = 0; i < _names.Length; i++)
        {
            var s = _state[i];
            var open = s.StuckSince is not null || s.SpikesSince is not null || s.DropoutSince is not null;
            if (open)
            {
                s.MaskedUntil = hourEndMs + MaskGraceMs;
            }

            Masked[i] = open || hourEndMs < s.MaskedUntil;
        }
    }

    private void EvaluateStuck(int i, SignalState s, long hourEndMs, DeviceHistory history)
    {
        if (_cumulative[i] || history.Hourly(_names[i]) is not { } hourly)
        {
            return;
        }

        _points.Clear();
        hourly.CopySince(hourEndMs - StuckHours * DeviceHistory.HourMs, _points);
        if (s.StuckSince is not null)
        {
            // Clears as soon as the newest hour moves.
            if (_points.Count > 0 && _points[^1].StartMs == hourEndMs - DeviceHistory.HourMs
                && (_points[^1].Max != _points[^1].Min || _points[^1].Mean != s.StuckValue))
            {
                s.StuckSince = null;
                _dirty = true;
            }
            else
            {
                s.StuckUpdated = hourEndMs;
            }

            return;
        }

        if (s.KnownStd <= 0 || _points.Count < StuckHours || _points[0].StartMs != hourEndMs - StuckHours * DeviceHistory.HourMs)
        {
            return;
        }

        var value = _points[0].Min;
        var readings = 0;
        foreach (var p in _points)
        {
            if (p.Min != value || p.Max != value || p.StartMs >= hourEndMs)
            {
                return;
            }

            readings += p.Count;
        }

        if (readings >= StuckHours)
        {
            s.StuckSince = _points[0].StartMs;
            s.StuckUpdated = hourEndMs;
            s.StuckValue = value;
            _dirty = true;
        }
    }

    private void EvaluateDropout(int i, SignalState s, long hourEndMs, DeviceHistory history, long newestOther, long newestOtherInUse)
    {
        if (history.LastSeenMs(_names[i]) is not { } last)
        {
            return; // never seen: missing, not dropped
        }

        var othersArrive = newestOther >= hourEndMs - DeviceHistory.HourMs;
        if (s.DropoutSince is { } since)
        {
            if (last > since)
            {
                s.DropoutSince = null;
                s.DropoutInUse = false;
                _dirty = true;
            }
            else
            {
                s.DropoutUpdated = hourEndMs;
                if (_duringUse[i] && !s.DropoutInUse && newestOtherInUse > last + _dropoutLimitMs[i])
                {
                    s.DropoutInUse = true; // the device was in use and this signal stayed silent
                    _dirty = true;
                }
            }

            return;
        }

        if (hourEndMs - last > _dropoutLimitMs[i] && othersArrive)
        {
            s.DropoutSince = last;
            s.DropoutUpdated = hourEndMs;
            s.DropoutInUse = _duringUse[i] && newestOtherInUse > last + _dropoutLimitMs[i];
            _dirty = true;
        }
    }

    private void Rebuild()
    {
        _issues.Clear();
        for (var i = 0; i < _names.Length; i++)
        {
            var s = _state[i];
            var name = _names[i];
            if (s.StuckSince is { } stuck)
            {
                var hours = (s.StuckUpdated - stuck) / DeviceHistory.HourMs;
                _issues.Add(new DataQualityIssue(name, DataQualityKind.Stuck, stuck, s.StuckUpdated,
                    string.Create(CultureInfo.InvariantCulture, $"{name} stuck at {s.StuckValue:G6} for {hours} h although its baseline varies")));
            }

            if (s.SpikesSince is { } spikes)
            {
                _issues.Add(new DataQualityIssue(name, DataQualityKind.Spikes, spikes, s.SpikesUpdated,
                    string.Create(CultureInfo.InvariantCulture, $"{name}: {s.Spikes.Count} isolated spikes in 24 h (≥ {SpikeSigma} robust σ off neighbouring 5-minute buckets, returning at once)")));
            }

            if (s.DropoutSince is { } dropped && (!_duringUse[i] || s.DropoutInUse))
            {
                var hours = (s.DropoutUpdated - dropped) / (double)DeviceHistory.HourMs;
                _issues.Add(new DataQualityIssue(name, DataQualityKind.Dropout, dropped, s.DropoutUpdated,
                    string.Create(CultureInfo.InvariantCulture, $"{name} not seen for {hours:F1} h while the device's other signals arrive (limit {_dropoutLimitMs[i] / (double)DeviceHistory.HourMs:G3} h)")));
            }

            Masked[i] = Masked[i] || s.StuckSince is not null || s.SpikesSince is not null || s.DropoutSince is not null;
        }

        _dirty = false;
    }

    private sealed class SignalState
    {
        public readonly double[] Ring = new double[DataQualityMonitor.Ring];
        public readonly Queue<long> Spikes = new();
        public int Next;
        public int Filled;
        public double KnownStd;
        public long? SpikesSince;
        public long LastSpike;
        public long SpikesUpdated;
        public long? StuckSince;
        public long StuckUpdated;
        public double StuckValue;
        public long? DropoutSince;
        public long DropoutUpdated;
        public bool DropoutInUse;
        public long MaskedUntil = long.MinValue;
    }
}
