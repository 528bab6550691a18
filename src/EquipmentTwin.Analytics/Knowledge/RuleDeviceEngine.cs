using EquipmentTwin.Analytics.Engines;
using EquipmentTwin.Analytics.History;
using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Analytics.Knowledge;

/// <summary>
/// The rules of one device, evaluated in event time: thresholds on each closed 5-minute bucket, rates
/// and baselines on hour ticks, event counts on each matching event (and on hour ticks while active so
/// they can age out), combinations after any of those changed. State is a fixed set of fields per rule.
/// Missing data changes nothing: a rule is only evaluated on data it has.
/// </summary>
public sealed class RuleDeviceEngine : IDeviceEngine
{
    private const long BucketMs = DeviceHistory.BucketMs;
    private const long HourMs = DeviceHistory.HourMs;

    // A gap longer than this between two buckets of a signal breaks a "for N minutes" run: without data
    // we cannot say the condition held. Slow signals get twice their sampling period.
    private const long MinGapToleranceMs = 15 * 60_000;

    // A trend or mean whose newest hourly point is older than this is not re-judged (dropped channel).
    private const long MinStaleToleranceMs = 2 * HourMs;

    private readonly DeviceContext _context;
    private readonly RuleState[] _states;
    private readonly Dictionary<string, int[]> _bySignal;
    private readonly Dictionary<string, int[]> _byCode;
    private readonly int[] _hourly;
    private readonly int[] _eventCounts;
    private readonly int[] _combinations;
    [ThreadStatic]
    private static List<SeriesPoint>? t_points;
    private bool _touched;
    private bool _dirty = true;
    private IReadOnlyList<Evidence> _evidence = [];

    /// <summary>Hourly points of the window being judged: filled and read within one evaluation, so this thread's devices share one list (up to 60 days of points, ~38 KB a device when each kept its own).</summary>
    private static List<SeriesPoint> _points => t_points ??= new();

    public RuleDeviceEngine(IReadOnlyList<Rule> rules, DeviceContext context)
    {
        _context = context;
        _states = rules.Select(r => new RuleState(r)).ToArray();
        var index = rules.Select((r, i) => (r.Id, i)).ToDictionary(p => p.Id, p => p.i, StringComparer.Ordinal);
        var bySignal = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var byCode = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var i = 0; i < rules.Count; i++)
        {
            switch (rules[i])
            {
                case ThresholdRule t:
                    Add(bySignal, t.Signal, i);
                    break;
                case BaselineDeviationRule b:
                    Add(bySignal, b.Signal, i);
                    break;
                case EventCountRule e:
                    foreach (var code in e.Codes)
                    {
                        Add(byCode, code, i);
                    }

                    break;
                case CombinationRule c:
                    _states[i].Children = c.RuleIds.Select(id => index.TryGetValue(id, out var j) && j < i
                        ? j
                        : throw new ArgumentException($"rule '{c.Id}' references '{id}', which does not come before it", nameof(rules))).ToArray();
                    break;
            }
        }

        _bySignal = bySignal.ToDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal);
        _byCode = byCode.ToDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal);
        _hourly = Indexes(rules, r => r is RateRule or BaselineDeviationRule);
        _eventCounts = Indexes(rules, r => r is EventCountRule);
        _combinations = Indexes(rules, r => r is CombinationRule);
    }

    public IReadOnlyList<Evidence> Evidence
    {
        get
        {
            if (_dirty)
            {
                var list = new List<Evidence>();
                foreach (var s in _states)
                {
                    if (s.Active && !s.Rule.Hidden)
                    {
                        list.Add(new Evidence(EngineKind.Rules, s.Rule.Id, s.Rule.Component, s.SinceMs, s.UpdatedMs, s.Rule.Confidence,
                            s.Rule.Severity, Render(s), s.Readings));
                    }
                }

                _evidence = list;
                _dirty = false;
            }

            return _evidence;
        }
    }

    /// <summary>Whether rule <paramref name="id"/> (hidden or not) is active now.</summary>
    public bool IsActive(string id) => _states.Any(s => s.Rule.Id == id && s.Active);

    public void OnBucket(string signal, in SeriesPoint bucket, DeviceHistory history)
    {
        if (!_bySignal.TryGetValue(signal, out var indexes))
        {
            return;
        }

        var endMs = bucket.StartMs + BucketMs;
        foreach (var i in indexes)
        {
            var s = _states[i];
            if (bucket.StartMs < s.ResetMs)
            {
                continue; // a bucket that began before the repair still describes the old part
            }

            if (s.Rule is ThresholdRule t)
            {
                EvaluateThreshold(s, t, bucket, history);
            }
            else if (s.LearnStartMs is null)
            {
                // Hourly means are whole hours: after a repair, the first hour that starts after it.
                var hour = bucket.StartMs - Mod(bucket.StartMs, HourMs);
                s.LearnStartMs = hour < s.ResetMs ? hour + HourMs : hour;
            }
        }

        EvaluateCombinations(endMs, history);
    }

    public void OnEvent(in LogRecord record, DeviceHistory history)
    {
        if (!_byCode.TryGetValue(record.Code!, out var indexes))
        {
            return;
        }

        foreach (var i in indexes)
        {
            EvaluateEventCount(_states[i], (EventCountRule)_states[i].Rule, record.TimestampMs, history);
        }

        EvaluateCombinations(record.TimestampMs, history);
    }

    public void OnHour(long hourEndMs, DeviceHistory history)
    {
        foreach (var i in _hourly)
        {
            var s = _states[i];
            if (s.Rule is RateRule r)
            {
                EvaluateRate(s, r, hourEndMs, history);
            }
            else
            {
                EvaluateBaseline(s, (BaselineDeviationRule)s.Rule, hourEndMs, history);
            }
        }

        // An inactive count can only start on an event; an active one must be able to age out without one.
        foreach (var i in _eventCounts)
        {
            if (_states[i].Active)
            {
                EvaluateEventCount(_states[i], (EventCountRule)_states[i].Rule, hourEndMs, history);
            }
        }

        EvaluateCombinations(hourEndMs, history);
    }

    public void OnMaintenance(MaintenanceRecord record, DeviceHistory history)
    {
        // A service visit (inspection, top-off) does not change the part's behaviour; values clear rules
        // on their own. A repair or replacement does: start that component's rules and baselines afresh.
        if (record.Action is not (MaintenanceAction.Repair or MaintenanceAction.Replace or MaintenanceAction.Adjust))
        {
            return;
        }

        foreach (var s in _states)
        {
            if (s.Rule.Component == record.Component)
            {
                s.Reset(record.TimestampMs);
                _touched = true;
            }

            if (s.Rule.SettleAfterRepair is { } settle && settle.Components.Contains(record.Component, StringComparer.Ordinal))
            {
                s.QuietUntilMs = Math.Max(s.QuietUntilMs, record.TimestampMs + settle.Ms);
            }
        }

        EvaluateCombinations(record.TimestampMs, history);
    }

    private void EvaluateThreshold(RuleState s, ThresholdRule r, in SeriesPoint b, DeviceHistory history)
    {
        var endMs = b.StartMs + BucketMs;
        var v = r.Stat switch
        {
            BucketStat.Max => b.Max,
            BucketStat.Min => b.Min,
            _ => b.Mean,
        };

        if (s.LastBucketStartMs is { } last && b.StartMs - last > GapTolerance(r.Signal, MinGapToleranceMs))
        {
            if (!s.Active)
            {
                s.ConditionSinceMs = null;
            }

            s.ClearSinceMs = null;
        }

        s.LastBucketStartMs = b.StartMs;
        var gate = GateOpen(r, endMs, history, out var gateReading);
        if (!s.Active)
        {
            if (gate && r.Comparison.Holds(v))
            {
                s.ConditionSinceMs ??= b.StartMs;
                if (endMs - s.ConditionSinceMs.Value >= r.MinDurationMs)
                {
                    s.Value = v;
                    s.Readings = WithGate(new Reading(r.Signal, v, b.StartMs), gateReading);
                    Fire(s, endMs);
                }
            }
            else
            {
                s.ConditionSinceMs = null;
            }

            return;
        }

        if (!gate)
        {
            return; // outside the gate the reading says nothing (e.g. reflected power while not transmitting)
        }

        s.Value = v;
        s.Readings = WithGate(new Reading(r.Signal, v, b.StartMs), gateReading);
        Update(s, endMs);
        if (r.Comparison.Cleared(v))
        {
            s.ClearSinceMs ??= b.StartMs;
            if (endMs - s.ClearSinceMs.Value >= r.ClearDurationMs)
            {
                Clear(s, endMs);
            }
        }
        else
        {
            s.ClearSinceMs = null;
        }
    }

    private void EvaluateRate(RuleState s, RateRule r, long hourEndMs, DeviceHistory history)
    {
        if (!CollectWindow(r.Signal, Math.Max(hourEndMs - r.WindowMs, s.ResetMs), hourEndMs, r.MinPoints, history)
            || hourEndMs - _points[0].StartMs < r.MinSpanMs)
        {
            return;
        }

        if (IsStuck(_points))
        {
            // A frozen reading is no trend: the step from the live value to the frozen one read as a fall (a stuck
            // helium probe opened a cryostat alert on validation seed 912), and a frozen reading no longer shows a fall.
            if (s.Active)
            {
                Clear(s, hourEndMs);
            }
            else
            {
                s.ConditionSinceMs = null;
            }

            return;
        }

        if (LinearTrend.Fit(_points) is not { } trend || !GateOpen(r, hourEndMs, history, out var gateReading))
        {
            return;
        }

        if (!s.Active)
        {
            if (!r.Holds(trend))
            {
                s.ConditionSinceMs = null;
                return;
            }

            s.ConditionSinceMs ??= hourEndMs;
            if (hourEndMs - s.ConditionSinceMs.Value < r.MinDurationMs)
            {
                return;
            }
        }

        var latest = _points[^1];
        s.Rate = trend.Slope;
        s.Value = latest.Mean;
        s.Readings = WithGate(
            [new Reading(r.Signal, latest.Mean, latest.StartMs), new Reading(r.Signal + ".slope_per_day", trend.Slope, hourEndMs), new Reading(r.Signal + ".slope_points", trend.Points, hourEndMs)],
            gateReading);
        if (!s.Active)
        {
            Fire(s, hourEndMs);
        }
        else
        {
            Update(s, hourEndMs);
            if (r.SlopePerDay.Cleared(trend.Slope))
            {
                Clear(s, hourEndMs);
            }
        }
    }

    private void EvaluateBaseline(RuleState s, BaselineDeviationRule r, long hourEndMs, DeviceHistory history)
    {
        if (s.LearnStartMs is not { } learnStart)
        {
            return;
        }

        var series = history.Hourly(r.Signal);
        if (series is null)
        {
            return;
        }

        if (s.Baseline is null)
        {
            var learnEnd = learnStart + r.BaselineMs;
            if (hourEndMs < learnEnd)
            {
                return;
            }

            _points.Clear();
            series.CopySince(learnStart, _points);
            _points.RemoveAll(p => p.StartMs >= learnEnd);
            SubtractReference(r.Minus, history);
            if (_points.Count < r.MinBaselinePoints)
            {
                s.LearnStartMs = null; // too little data to call it normal; learn from the next data on
                return;
            }

            s.Baseline = Median(_points);
        }

        if (!CollectWindow(r.Signal, Math.Max(hourEndMs - r.WindowMs, s.ResetMs), hourEndMs, r.MinPoints, history))
        {
            return;
        }

        SubtractReference(r.Minus, history);
        if (_points.Count < r.MinPoints)
        {
            return;
        }

        var baseline = s.Baseline.Value;
        if (r.Relative && Math.Abs(baseline) < 1e-12)
        {
            return; // a percent of zero means nothing
        }

        double sum = 0, weight = 0;
        foreach (var p in _points)
        {
            sum += p.Mean * p.Count;
            weight += p.Count;
        }

        var mean = sum / weight;
        var deviation = r.Relative ? (mean - baseline) / Math.Abs(baseline) * 100 : mean - baseline;
        if (!GateOpen(r, hourEndMs, history, out var gateReading) || (!s.Active && !r.Deviation.Holds(deviation)))
        {
            return;
        }

        s.Value = mean;
        s.Deviation = deviation;
        s.Readings = WithGate(
            [new Reading(r.Signal, mean, hourEndMs), new Reading(r.Signal + ".baseline", baseline, learnStart), new Reading(r.Signal + (r.Relative ? ".deviation_pct" : ".deviation"), deviation, hourEndMs)],
            gateReading);
        if (!s.Active)
        {
            Fire(s, hourEndMs);
        }
        else
        {
            Update(s, hourEndMs);
            if (r.Deviation.Cleared(deviation))
            {
                Clear(s, hourEndMs);
            }
        }
    }

    private void EvaluateEventCount(RuleState s, EventCountRule r, long nowMs, DeviceHistory history)
    {
        if (nowMs < s.ResetMs)
        {
            return;
        }

        var from = Math.Max(nowMs - r.WithinMs, s.ResetMs);
        var count = 0;
        foreach (var code in r.Codes)
        {
            count += history.Events.Count(code, from, nowMs);
        }

        if (!GateOpen(r, nowMs, history, out var gateReading) || (!s.Active && count < r.Count))
        {
            return;
        }

        s.Count = count;
        var readings = new List<Reading>(r.Codes.Count + 1);
        foreach (var code in r.Codes)
        {
            readings.Add(new Reading(code, history.Events.Count(code, from, nowMs), history.Events.LastMs(code) ?? nowMs));
        }

        if (gateReading is { } g)
        {
            readings.Add(g);
        }

        s.Readings = readings.ToArray();
        if (!s.Active)
        {
            Fire(s, nowMs);
        }
        else
        {
            Update(s, nowMs);
            if (count < r.ClearCount)
            {
                Clear(s, nowMs);
            }
        }
    }

    /// <summary>Re-judges every combination (in dependency order) after anything changed.</summary>
    private void EvaluateCombinations(long nowMs, DeviceHistory history)
    {
        if (!_touched)
        {
            return;
        }

        foreach (var i in _combinations)
        {
            var s = _states[i];
            var c = (CombinationRule)s.Rule;
            var active = 0;
            foreach (var child in s.Children)
            {
                if (_states[child].Active)
                {
                    active++;
                }
            }

            var holds = c.Kind == RuleKind.All ? active == s.Children.Length : active > 0;
            if (!GateOpen(c, nowMs, history, out var gateReading) || (!s.Active && !holds))
            {
                continue;
            }

            if (!holds)
            {
                Clear(s, nowMs);
                continue;
            }

            s.Count = active;
            var readings = new List<Reading>();
            foreach (var child in s.Children)
            {
                if (_states[child].Active)
                {
                    readings.AddRange(_states[child].Readings);
                }
            }

            if (gateReading is { } g)
            {
                readings.Add(g);
            }

            s.Readings = readings.ToArray();
            if (!s.Active)
            {
                Fire(s, nowMs);
            }
            else
            {
                Update(s, nowMs);
            }
        }

        _touched = false;
    }

    /// <summary>Replaces each hourly point in <see cref="_points"/> by its difference with <paramref name="reference"/>'s mean in the same hour; hours without the reference are dropped.</summary>
    private void SubtractReference(string? reference, DeviceHistory history)
    {
        if (reference is null)
        {
            return;
        }

        var series = history.Hourly(reference);
        if (series is null || _points.Count == 0)
        {
            _points.Clear();
            return;
        }

        var byHour = new Dictionary<long, double>();
        foreach (var p in series.Since(_points[0].StartMs))
        {
            byHour[p.StartMs] = p.Mean;
        }

        var kept = 0;
        for (var i = 0; i < _points.Count; i++)
        {
            var p = _points[i];
            if (byHour.TryGetValue(p.StartMs, out var r))
            {
                _points[kept++] = p with { Mean = p.Mean - r, Min = p.Min - r, Max = p.Max - r, Last = p.Last - r };
            }
        }

        _points.RemoveRange(kept, _points.Count - kept);
    }

    /// <summary>Hourly points of <paramref name="signal"/> in [from, to) into <see cref="_points"/>, if enough and fresh.</summary>
    private bool CollectWindow(string signal, long fromMs, long toMs, int minPoints, DeviceHistory history)
    {
        var series = history.Hourly(signal);
        if (series is null)
        {
            return false;
        }

        _points.Clear();
        series.CopySince(fromMs, _points);
        if (_points.Count > 0 && _points[^1].StartMs >= toMs)
        {
            _points.RemoveAll(p => p.StartMs >= toMs);
        }

        return _points.Count >= minPoints && toMs - (_points[^1].StartMs + HourMs) <= GapTolerance(signal, MinStaleToleranceMs);
    }

    private bool GateOpen(Rule rule, long nowMs, DeviceHistory history, out Reading? reading)
    {
        reading = null;
        if (rule.While is not { } w)
        {
            return true;
        }

        if (history.LastSeenMs(w.Signal) is not { } seen || history.LastValue(w.Signal) is not { } value)
        {
            return w.Unless;
        }

        if (w.MaxAgeMs is { } maxAge && nowMs - seen > maxAge)
        {
            return w.Unless;
        }

        reading = new Reading(w.Signal, value, seen);
        return w.Comparison.Holds(value) != w.Unless;
    }

    private long GapTolerance(string signal, long minimumMs) =>
        Math.Max(minimumMs, (long)(2 * 1000 * (_context.Catalog.FindSignal(signal)?.SampleSeconds ?? 0)));

    private void Fire(RuleState s, long nowMs)
    {
        if (nowMs < s.QuietUntilMs)
        {
            // Settling after a repair: the condition may hold, and fires when the wait is over if it still does.
            return;
        }

        s.Active = true;
        s.SinceMs = nowMs;
        s.UpdatedMs = nowMs;
        s.ClearSinceMs = null;
        _touched = true;
        _dirty = true;
    }

    private void Update(RuleState s, long nowMs)
    {
        s.UpdatedMs = nowMs;
        _touched = true;
        _dirty = true;
    }

    private void Clear(RuleState s, long nowMs)
    {
        s.Active = false;
        s.UpdatedMs = nowMs;
        s.ConditionSinceMs = null;
        s.ClearSinceMs = null;
        s.Readings = [];
        _touched = true;
        _dirty = true;
    }

    private string Render(RuleState s)
    {
        var rule = s.Rule;
        return MessageTemplate.Render(rule.Message, name => name switch
        {
            "value" => MessageTemplate.Number(s.Value),
            "signal" => SignalOf(rule) ?? "",
            "unit" => SignalOf(rule) is { } sig ? _context.Catalog.FindSignal(sig)?.Unit ?? "" : "",
            "threshold" => MessageTemplate.Number(rule switch
            {
                ThresholdRule t => t.Comparison.Limit,
                RateRule r => r.SlopePerDay.Limit,
                BaselineDeviationRule b => b.Deviation.Limit,
                EventCountRule e => e.Count,
                _ => 0,
            }),
            "clear" => MessageTemplate.Number(rule switch
            {
                ThresholdRule t => t.Comparison.Clear,
                RateRule r => r.SlopePerDay.Clear,
                BaselineDeviationRule b => b.Deviation.Clear,
                _ => 0,
            }),
            "duration" => MessageTemplate.Duration(s.UpdatedMs - (s.ConditionSinceMs ?? s.SinceMs)),
            "rate" => MessageTemplate.Number(s.Rate),
            "baseline" => MessageTemplate.Number(s.Baseline ?? 0),
            "deviation" => MessageTemplate.Number(s.Deviation),
            "window" => MessageTemplate.Duration(rule switch
            {
                RateRule r => r.WindowMs,
                BaselineDeviationRule b => b.WindowMs,
                EventCountRule e => e.WithinMs,
                _ => 0,
            }),
            "count" => s.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "codes" => rule is EventCountRule ec ? string.Join(", ", ec.Codes) : "",
            "rules" => string.Join(", ", s.Children.Where(c => _states[c].Active).Select(c => _states[c].Rule.Id)),
            "component" => _context.Catalog.Components.TryGetValue(rule.Component, out var comp) ? comp.Name : rule.Component,
            _ => "{" + name + "}",
        });
    }

    private static string? SignalOf(Rule rule) => rule switch
    {
        ThresholdRule t => t.Signal,
        RateRule r => r.Signal,
        BaselineDeviationRule b => b.Signal,
        _ => null,
    };

    private static Reading[] WithGate(Reading reading, Reading? gate) => gate is { } g ? [reading, g] : [reading];

    private static Reading[] WithGate(Reading[] readings, Reading? gate) => gate is { } g ? [.. readings, g] : readings;

    /// <summary>A stuck sensor (<see cref="StuckSignal"/>): the newest <see cref="StuckHours"/> multi-reading hours hold one value.</summary>
    private static bool IsStuck(List<SeriesPoint> points) => StuckSignal.NewestHoursStuck(points, StuckHours);

    private const int StuckHours = 3;

    private static double Median(List<SeriesPoint> points)
    {
        var values = points.Select(p => p.Mean).Order().ToArray();
        var mid = values.Length / 2;
        return values.Length % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    }

    private static long Mod(long a, long b) => ((a % b) + b) % b;

    private static void Add(Dictionary<string, List<int>> map, string key, int index)
    {
        if (!map.TryGetValue(key, out var list))
        {
            map[key] = list = new List<int>();
        }

        list.Add(index);
    }

    private static int[] Indexes(IReadOnlyList<Rule> rules, Func<Rule, bool> predicate) =>
        Enumerable.Range(0, rules.Count).Where(i => predicate(rules[i])).ToArray();
}
