using EquipmentTwin.Core.Catalog;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Simulator.Faults;
using EquipmentTwin.Simulator.Fleets;
using EquipmentTwin.Simulator.Simulation;

namespace EquipmentTwin.Simulator.Devices;

/// <summary>
/// Base of a device model: exam schedule, fault progression, maintenance, sensor faults and the record
/// output. A subclass integrates its physics minute by minute (and second by second while it works) and
/// calls <see cref="P"/> for readings and <see cref="Ev"/> for events, in event-time order.
/// </summary>
internal abstract class DeviceModel
{
    protected const long Second = 1000;
    protected const long Minute = 60_000;
    protected const long Hour = 3_600_000;
    protected const long Day = 86_400_000;
    private const long SummaryIntervalMs = 300_000;

    /// <summary>"Long ago" for repeat intervals; half of long.MinValue so that now − Never does not overflow.</summary>
    internal const long Never = long.MinValue / 2;

    private readonly ModalityCatalog _catalog;
    private readonly bool _summary;
    private readonly List<string> _sigNames = [];
    private readonly List<double> _sigScale = [];
    private readonly List<SignalDefinition> _sigDefs = [];
    private readonly Dictionary<string, int> _sigIndex = new(StringComparer.Ordinal);
    private long[] _nextAllowed = [];
    private SensorFaultSlot?[] _sensor = [];
    private readonly List<EventDefinition> _events = [];
    private readonly Dictionary<string, int> _eventIndex = new(StringComparer.Ordinal);
    private long[] _lastAlarm = [];
    private readonly List<LogRecord> _pending = [];
    private readonly List<FaultInstance> _faults = [];
    private readonly string[] _paramNames;
    private readonly List<Exam> _exams = [];
    private int _examHead;
    private long _nextDayMs;
    private long _nextServiceMs;
    private long _serviceEndMs = long.MinValue;
    private long _usageSecondsTotal;
    private readonly string[] _engineers;

    protected DeviceModel(DeviceSpec spec, ModalityCatalog catalog, string[] parameterNames, ModelContext context)
    {
        Spec = spec;
        _catalog = catalog;
        _summary = context.Summary;
        _paramNames = parameterNames;
        Param = new double[parameterNames.Length];
        Rng = new Random(StableHash.DeviceSeed(context.Seed, spec.Id));
        Noise = new NoiseSource(Rng, spec.NoiseScale);
        Usage = UsageProfile.For(spec);
        StartMs = context.StartMs;
        _engineers = Engineers[(int)(StableHash.Fnv1a64(spec.Site) % (ulong)Engineers.Length)];
        _nextDayMs = LocalMidnightOnOrBefore(StartMs);
        var interval = spec.ServiceIntervalDays;
        var offset = spec.ServiceOffsetDays ?? (StableHash.Fnv1a64(spec.Id) % 1000 / 1000.0 * Math.Max(1, interval));
        _nextServiceMs = interval > 0 ? ServiceSlot(StartMs + (long)(offset * Day)) : long.MaxValue;
    }

    private static readonly string[][] Engineers =
    [
        ["J. Meyer (FSE)", "A. Okafor (FSE)", "L. Brandt (biomed)"],
        ["S. Novak (FSE)", "M. Rossi (biomed)", "K. Lindqvist (FSE)"],
        ["P. Dubois (FSE)", "R. Tanaka (FSE)", "E. García (biomed)"],
    ];

    public DeviceSpec Spec { get; }
    public List<LogRecord> Records { get; } = new(8192);
    public List<MaintenanceRecord> Maintenance { get; } = [];
    public IReadOnlyList<FaultInstance> Faults => _faults;
    public List<MaintenanceRecord> MaintenanceLog { get; } = [];
    public long StartMs { get; }

    protected Random Rng { get; }
    protected NoiseSource Noise { get; }
    protected UsageProfile Usage { get; }

    /// <summary>Physics parameters moved by faults (index = position in the model's parameter list); 0 when healthy.</summary>
    protected double[] Param { get; }

    /// <summary>A failed, unrepaired machine fault (or a quench) holds the device down: no exams.</summary>
    public bool IsDown { get; private set; }

    protected bool InService(long ts) => ts < _serviceEndMs;

    /// <summary>Start of the minute being simulated; events stamped earlier are not logged (the output is already past them).</summary>
    protected long NowMs { get; private set; }

    /// <summary>True while an exam runs.</summary>
    protected bool Examining { get; private set; }

    protected Exam CurrentExam { get; private set; }

    /// <summary>Total exam seconds since the start: the usage clock of wear faults.</summary>
    protected long UsageSeconds => _usageSecondsTotal;

    public void AddFault(FaultInstance fault)
    {
        fault.ParamIndex = fault.Scenario.Effects.Select(e => Array.IndexOf(_paramNames, e.Parameter)).ToArray();
        fault.FailureParamIndex = fault.Scenario.AtFailure.Select(e => Array.IndexOf(_paramNames, e.Parameter)).ToArray();
        fault.EventIndex = fault.Scenario.Events.Select(e => EventId(e.Code)).ToArray();
        fault.LastRuleMs = new long[fault.Scenario.Events.Count];
        Array.Fill(fault.LastRuleMs, Never);
        if (fault.Scenario.Sensor is { } s)
        {
            fault.SensorSignal = _sigIndex.TryGetValue(s.Signal, out var i) ? i : -1;
        }

        _faults.Add(fault);
    }

    /// <summary>Advances the device over [fromMs, toMs): fills <see cref="Records"/> (time-sorted) and <see cref="Maintenance"/>.</summary>
    public void Advance(long fromMs, long toMs)
    {
        Records.Clear();
        Maintenance.Clear();
        for (var m = fromMs; m < toMs; m += Minute)
        {
            if (m >= _nextDayMs)
            {
                PlanDay(_nextDayMs);
                _nextDayMs += Day;
            }

            if (m >= _nextServiceMs)
            {
                DoService(_nextServiceMs);
                _nextServiceMs = ServiceSlot(_nextServiceMs + (long)(Spec.ServiceIntervalDays * Day));
            }

            NowMs = m;
            UpdateFaults(m);
            Flush(m);
            Step(m);
        }

        Flush(toMs - 1);
    }

    /// <summary>One minute of the device starting at <paramref name="m"/>: minute-cadence readings first, then any 1 s work, then the slow physics to m + 1 min.</summary>
    protected abstract void Step(long m);

    /// <summary>Start of the local day: schedule the day's housekeeping events.</summary>
    protected abstract void OnDayStart(long localMidnightMs, bool weekend);

    /// <summary>True (noise-free) value of a named state, for failure and threshold checks.</summary>
    public abstract double State(string name);

    /// <summary>Resets the component's physical state after a repair or replacement.</summary>
    protected abstract void ResetComponent(string component, long ts);

    /// <summary>Scheduled service: modality-specific work and its text; returns the component and text of the record.</summary>
    protected abstract (string Component, string Text) Service(long ts);

    /// <summary>Called when a fault makes the device log an event (e.g. count arcs).</summary>
    protected virtual void OnFaultEvent(string code, long ts)
    {
    }

    protected virtual void OnExamStart(in Exam exam)
    {
    }

    protected virtual void OnExamEnd(in Exam exam)
    {
    }

    // ---------- signals and events ----------

    /// <summary>Registers a catalog signal; <paramref name="decimals"/> is the resolution the device reports.</summary>
    protected int Signal(string name, int decimals)
    {
        var def = _catalog.FindSignal(name) ?? throw new SimulationConfigException($"catalog of {_catalog.Modality.ToWire()}: signal '{name}' that the {Spec.Modality.ToWire()} model logs is missing");
        _sigIndex[name] = _sigNames.Count;
        _sigNames.Add(def.Name);
        _sigScale.Add(Math.Pow(10, decimals));
        _sigDefs.Add(def);
        _nextAllowed = new long[_sigNames.Count];
        Array.Fill(_nextAllowed, long.MinValue);
        _sensor = new SensorFaultSlot?[_sigNames.Count];
        return _sigNames.Count - 1;
    }

    protected int EventId(string code)
    {
        if (_eventIndex.TryGetValue(code, out var i))
        {
            return i;
        }

        var def = _catalog.FindEvent(code) ?? throw new SimulationConfigException($"catalog of {_catalog.Modality.ToWire()}: event code '{code}' is missing");
        _eventIndex[code] = _events.Count;
        _events.Add(def);
        _lastAlarm = new long[_events.Count];
        Array.Fill(_lastAlarm, Never);
        return _events.Count - 1;
    }

    /// <summary>A reading at <paramref name="ts"/>; sensor faults change what is reported, never the physics.</summary>
    protected void P(int signal, long ts, double value)
    {
        if (_pending.Count > 0 && _pending[0].TimestampMs <= ts)
        {
            Flush(ts);
        }

        if (_summary)
        {
            if (ts < _nextAllowed[signal])
            {
                return;
            }

            _nextAllowed[signal] = ts - ts % SummaryIntervalMs + SummaryIntervalMs;
        }

        if (_sensor[signal] is { } slot)
        {
            switch (slot.Fault.Scenario.Sensor!.Mode)
            {
                case SensorFaultMode.Dropout:
                    return;
                case SensorFaultMode.Stuck:
                    if (double.IsNaN(slot.StuckValue))
                    {
                        slot.StuckValue = value;
                    }

                    value = slot.StuckValue;
                    break;
                case SensorFaultMode.Spikes:
                    var spec = slot.Fault.Scenario.Sensor!;
                    var perSample = spec.SpikesPerHour * Math.Max(1, _sigDefs[signal].SampleSeconds) / 3600.0;
                    if (slot.Noise.Chance(perSample))
                    {
                        value += (slot.Noise.NextDouble() < 0.5 ? -1 : 1) * spec.Magnitude * (0.6 + 0.8 * slot.Noise.NextDouble());
                    }

                    break;
                case SensorFaultMode.Offset:
                    value += slot.Fault.Scenario.Sensor!.Magnitude * slot.Fault.Severity;
                    break;
            }
        }

        var scale = _sigScale[signal];
        Records.Add(new LogRecord { TimestampMs = ts, Type = RecordType.Param, Name = _sigNames[signal], Value = Math.Round(value * scale) / scale });
    }

    /// <summary>An event at <paramref name="ts"/> with the catalog's severity and text (any time order: merged into the output).</summary>
    protected void Ev(int eventId, long ts, string? text = null)
    {
        if (ts < NowMs)
        {
            return;
        }

        if (Records.Count > 0 && ts < Records[^1].TimestampMs)
        {
            // Physics that notices a condition at the end of a minute logs it no earlier than what is already out.
            ts = Records[^1].TimestampMs;
        }

        var def = _events[eventId];
        var rec = new LogRecord { TimestampMs = ts, Type = RecordType.Event, Code = def.Code, Severity = def.Severity, Text = text ?? def.Text };
        var i = _pending.Count;
        while (i > 0 && _pending[i - 1].TimestampMs > ts)
        {
            i--;
        }

        _pending.Insert(i, rec);
    }

    /// <summary>A limit alarm: logs the event at most once per <paramref name="repeatHours"/> while the condition holds.</summary>
    protected void Alarm(int eventId, bool condition, long ts, double repeatHours)
    {
        if (condition && ts - _lastAlarm[eventId] >= (long)(repeatHours * Hour))
        {
            _lastAlarm[eventId] = ts;
            Ev(eventId, ts);
        }
    }

    private void Flush(long upToTs)
    {
        var n = 0;
        while (n < _pending.Count && _pending[n].TimestampMs <= upToTs)
        {
            Records.Add(_pending[n]);
            n++;
        }

        if (n > 0)
        {
            _pending.RemoveRange(0, n);
        }
    }

    // ---------- exams ----------

    /// <summary>Runs the exam schedule over one second [t, t+1 s): starts and ends exams; true while examining.</summary>
    protected bool ExamTick(long t)
    {
        if (Examining && t >= CurrentExam.End)
        {
            Examining = false;
            OnExamEnd(CurrentExam);
        }

        while (_examHead < _exams.Count && _exams[_examHead].Start < t + Second)
        {
            var e = _exams[_examHead++];
            if (Examining || IsDown || InService(e.Start) || e.Start < t - Second)
            {
                continue;
            }

            CurrentExam = e;
            Examining = true;
            OnExamStart(e);
        }

        if (Examining)
        {
            _usageSecondsTotal++;
        }

        return Examining;
    }

    /// <summary>True when an exam starts or runs within [m, m + 1 min): the model then works second by second.</summary>
    protected bool ExamWithinMinute(long m) =>
        Examining || (_examHead < _exams.Count && _exams[_examHead].Start < m + Minute);

    /// <summary>Skips exams that started while the minute was handled coarsely (device down or busy).</summary>
    protected void SkipPastExams(long t)
    {
        while (_examHead < _exams.Count && _exams[_examHead].Start < t)
        {
            _examHead++;
        }
    }

    protected long LocalMidnightOnOrBefore(long utcMs)
    {
        var offsetMs = (long)(Spec.UtcOffsetHours * Hour);
        var local = utcMs + offsetMs;
        return local - ((local % Day) + Day) % Day - offsetMs;
    }

    protected bool IsWeekend(long localMidnightUtcMs)
    {
        var local = DateTimeOffset.FromUnixTimeMilliseconds(localMidnightUtcMs + (long)(Spec.UtcOffsetHours * Hour) + Hour);
        return local.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;
    }

    private void PlanDay(long midnight)
    {
        if (_examHead > 0)
        {
            _exams.RemoveRange(0, _examHead);
            _examHead = 0;
        }

        var weekend = IsWeekend(midnight);
        var u = Usage;
        double open = weekend ? u.WeekendOpenHour : u.WeekdayOpenHour, close = weekend ? u.WeekendCloseHour : u.WeekdayCloseHour;
        var mean = (weekend ? u.ExamsPerWeekendDay : u.ExamsPerWeekday) * (midnight < StartMs + (long)(u.RampUpDays * Day) ? u.RampUpShare : 1);
        var lastEnd = _exams.Count > 0 ? _exams[^1].End : long.MinValue;

        // Night emergencies before opening.
        AddNightExams(midnight, 0, open, ref lastEnd);
        var n = (int)Math.Round(mean * (0.8 + 0.4 * Rng.NextDouble()));
        if (n > 0)
        {
            var slotMs = (long)((close - open) * Hour / n);
            for (var i = 0; i < n; i++)
            {
                var dur = ExamDurationMs(slotMs);
                var start = midnight + (long)(open * Hour) + i * slotMs + (long)(Rng.NextDouble() * Math.Max(0, slotMs - dur));
                start -= start % Second;
                if (start >= lastEnd + Minute)
                {
                    _exams.Add(new Exam(start, start + dur, _exams.Count));
                    lastEnd = start + dur;
                }
            }
        }

        AddNightExams(midnight, close, 24, ref lastEnd);
        OnDayStart(midnight, weekend);
    }

    private void AddNightExams(long midnight, double fromHour, double toHour, ref long lastEnd)
    {
        var rate = midnight >= StartMs + (long)(Usage.NightFromDays * Day) ? Usage.NightExamsPerHour : Usage.EarlyNightExamsPerHour;
        if (rate <= 0)
        {
            return;
        }

        double t = fromHour * Hour;
        while (true)
        {
            t += -Math.Log(1 - Rng.NextDouble()) / rate * Hour;
            if (t >= toHour * Hour)
            {
                return;
            }

            var start = midnight + (long)t;
            start -= start % Second;
            var dur = ExamDurationMs(2 * Hour);
            if (start >= lastEnd + Minute)
            {
                _exams.Add(new Exam(start, start + dur, _exams.Count));
                lastEnd = start + dur;
            }
        }
    }

    private long ExamDurationMs(long slotMs)
    {
        // Log-normal exam length around the mean (σ_log 0.35), at least the minimum, at most 95 % of the slot.
        var u = Usage;
        var z = NoiseSource.InverseNormal(Math.Clamp(Rng.NextDouble(), 1e-6, 1 - 1e-6));
        var minutes = Math.Max(u.MinExamMinutes, u.MeanExamMinutes * Math.Exp(0.35 * z - 0.06));
        var ms = (long)(minutes * Minute);
        return Math.Min(ms, Math.Max((long)(u.MinExamMinutes * Minute), (long)(slotMs * 0.95)));
    }

    // ---------- faults and maintenance ----------

    private void UpdateFaults(long m)
    {
        var anyParam = false;
        foreach (var f in _faults)
        {
            anyParam |= f.ParamIndex.Length > 0 || f.FailureParamIndex.Length > 0;
            switch (f.State)
            {
                case FaultState.Pending when m >= f.OnsetMs:
                    f.State = FaultState.Active;
                    f.LastUpdateMs = Math.Max(f.OnsetMs, StartMs);
                    f.LastUsageSeconds = UsageSeconds;
                    if (f.OnsetMs < StartMs)
                    {
                        f.Progress = (StartMs - f.OnsetMs) / (f.DurationDays * Day);
                    }

                    for (var i = 0; i < f.Scenario.Events.Count; i++)
                    {
                        if (f.Scenario.Events[i].Law == EventLaw.AtOnset && f.OnsetMs >= StartMs)
                        {
                            EmitFaultEvent(f, i, Math.Max(f.OnsetMs, m));
                        }
                    }

                    if (f.SensorSignal >= 0)
                    {
                        _sensor[f.SensorSignal] = new SensorFaultSlot(f);
                    }

                    break;
                case FaultState.Active:
                    Progress(f, m);
                    break;
                case FaultState.Failed when f.RepairDueMs is { } due && m >= due:
                    Repair(f, m);
                    break;
            }
        }

        if (anyParam)
        {
            Array.Clear(Param);
            foreach (var f in _faults)
            {
                if (f.State == FaultState.Active || f.State == FaultState.Failed)
                {
                    for (var i = 0; i < f.ParamIndex.Length; i++)
                    {
                        Param[f.ParamIndex[i]] += f.Scenario.Effects[i].Max * f.Severity;
                    }
                }

                if (f.State == FaultState.Failed)
                {
                    for (var i = 0; i < f.FailureParamIndex.Length; i++)
                    {
                        Param[f.FailureParamIndex[i]] = Math.Max(Param[f.FailureParamIndex[i]], f.Scenario.AtFailure[i].Max);
                    }
                }
            }
        }

        var down = false;
        foreach (var f in _faults)
        {
            down |= f.State == FaultState.Failed && f.Scenario.TakesDeviceDown;
        }

        IsDown = down || DownByPhysics;
    }

    /// <summary>A model can hold itself down (MRI quench) independently of faults.</summary>
    protected bool DownByPhysics { get; set; }

    private void Progress(FaultInstance f, long m)
    {
        var sc = f.Scenario;
        var dtMs = m - f.LastUpdateMs;
        f.LastUpdateMs = m;
        var law = sc.Progression;
        var rate = law.Clock switch
        {
            ProgressionClock.Usage => (UsageSeconds - f.LastUsageSeconds) / Usage.NominalExamSecondsPerDay / f.DurationDays,
            ProgressionClock.Arrhenius => law.AccelerationFactor(State(law.TemperatureState!)) * dtMs / (f.DurationDays * Day),
            _ => dtMs / (f.DurationDays * Day),
        };
        f.LastUsageSeconds = UsageSeconds;
        f.Progress += rate;
        f.Severity = law.Severity(f.Progress);

        if (sc.Kind == FaultKind.Sensor)
        {
            if (f.Progress >= 1)
            {
                f.State = FaultState.Ended;
                f.EndMs = m;
                _sensor[f.SensorSignal] = null;
                var sensorText = string.IsNullOrEmpty(sc.RepairText) ? $"Replaced faulty {sc.Sensor!.Signal} sensor" : sc.RepairText;
                AddMaintenance(new MaintenanceRecord(m + 15 * Minute, f.Component, sc.RepairAction, sensorText, Engineer()));
            }

            return;
        }

        for (var i = 0; i < sc.Events.Count; i++)
        {
            var rule = sc.Events[i];
            switch (rule.Law)
            {
                case EventLaw.Poisson:
                    if (rule.WhenInUse && !Examining)
                    {
                        break;
                    }

                    var perDay = rule.Lambda0PerDay * Math.Exp(rule.Kappa * f.Severity);
                    var inUseScale = rule.WhenInUse ? Day / Math.Max(Hour, Usage.NominalExamSecondsPerDay * 1000.0) : 1.0;
                    if (Noise.Chance(perDay * inUseScale / 1440.0))
                    {
                        EmitFaultEvent(f, i, m + (long)(Noise.NextDouble() * 59_000));
                    }

                    break;
                case EventLaw.Threshold:
                    var v = State(rule.State!);
                    var beyond = (rule.Above is { } a && v > a) || (rule.Below is { } b && v < b);
                    if (beyond && m - f.LastRuleMs[i] >= (long)(rule.RepeatHours * Hour))
                    {
                        f.LastRuleMs[i] = m;
                        EmitFaultEvent(f, i, m + 1000);
                    }

                    break;
            }
        }

        var failed = f.Progress >= 1;
        foreach (var th in sc.Failure)
        {
            failed |= th.IsMet(State(th.State));
        }

        if (failed)
        {
            f.State = FaultState.Failed;
            f.FailureMs = m;
            f.Severity = law.Severity(Math.Max(f.Progress, 1));
            for (var i = 0; i < sc.Events.Count; i++)
            {
                if (sc.Events[i].Law == EventLaw.AtFailure)
                {
                    EmitFaultEvent(f, i, m + 2000);
                }
            }

            if (f.Repair.Kind == RepairKind.Repair)
            {
                f.RepairDueMs = m + (long)(f.Repair.DelayHours * Hour);
            }
        }
    }

    private void EmitFaultEvent(FaultInstance f, int ruleIndex, long ts)
    {
        var rule = f.Scenario.Events[ruleIndex];
        Ev(f.EventIndex[ruleIndex], ts, rule.Text);
        OnFaultEvent(rule.Code, ts);
    }

    private void Repair(FaultInstance f, long m)
    {
        f.State = FaultState.Repaired;
        f.RepairMs = m;
        var sys = EventId(SysCode("004"));
        Ev(sys, m);
        ResetComponent(f.Component, m + 2 * Hour);
        Ev(EventId(SysCode("005")), m + 3 * Hour);
        _serviceEndMs = Math.Max(_serviceEndMs, m + 3 * Hour);
        var text = string.IsNullOrEmpty(f.Scenario.RepairText) ? $"{f.Scenario.RepairAction.ToWire()} {f.Component}" : f.Scenario.RepairText;
        AddMaintenance(new MaintenanceRecord(m + 3 * Hour, f.Component, f.Scenario.RepairAction, text, Engineer()));
    }

    private void DoService(long ts)
    {
        Ev(EventId(SysCode("004")), ts);
        var (component, text) = Service(ts + Hour);
        Ev(EventId(SysCode("005")), ts + 3 * Hour);
        _serviceEndMs = Math.Max(_serviceEndMs, ts + 3 * Hour);
        AddMaintenance(new MaintenanceRecord(ts + 3 * Hour, component, MaintenanceAction.Service, text, Engineer()));
    }

    protected void AddMaintenance(MaintenanceRecord record)
    {
        Maintenance.Add(record);
        MaintenanceLog.Add(record);
    }

    /// <summary>Who signs a record: drawn from the time, not the device's stream, so maintenance never shifts the physics.</summary>
    protected string Engineer() => _engineers[(int)((ulong)(NowMs / 60_000) * 2654435761UL % (ulong)_engineers.Length)];

    private string SysCode(string n) => Spec.Modality switch
    {
        Modality.Mri => "MR-SYS-" + n,
        Modality.Ct => "CT-SYS-" + n,
        _ => "XR-SYS-" + n,
    };

    /// <summary>09:00 local on the given day, moved to Monday when it falls on a weekend.</summary>
    private long ServiceSlot(long utcMs)
    {
        var midnight = LocalMidnightOnOrBefore(utcMs);
        while (IsWeekend(midnight))
        {
            midnight += Day;
        }

        return midnight + 9 * Hour;
    }

    private sealed class SensorFaultSlot(FaultInstance fault)
    {
        public FaultInstance Fault { get; } = fault;

        /// <summary>Its own stream, so a sensor fault leaves every other reading of the device unchanged.</summary>
        public NoiseSource Noise { get; } = new(new Random(StableHash.DeviceSeed((int)fault.OnsetMs, fault.Id)));
        public double StuckValue { get; set; } = double.NaN;
    }
}

/// <summary>One exam: start and end in event time.</summary>
internal readonly record struct Exam(long Start, long End, int Index);

/// <summary>What every model of a run shares.</summary>
internal sealed record ModelContext(int Seed, long StartMs, bool Summary);
