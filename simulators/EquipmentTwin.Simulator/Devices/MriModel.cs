using EquipmentTwin.Core.Catalog;
using EquipmentTwin.Simulator.Fleets;

namespace EquipmentTwin.Simulator.Devices;

/// <summary>
/// MRI: helium bath and boil-off, 2-stage cold head and compressor, chilled water, gradient coil and
/// amplifier heating, RF amplifier, room. Numbers from docs/simulator.md and domain.md §1, §5.1.
/// </summary>
internal sealed class MriModel : DeviceModel
{
    /// <summary>1 W into the bath boils ≈ 34 L of liquid helium a day (latent heat 20.5 kJ/kg; domain.md §1 [2]).</summary>
    public const double LitresPerDayPerWatt = 34.0;

    /// <summary>Cold-head lift at 4.2 K, W (domain.md §1 [1]: 1–1.5 W).</summary>
    public const double ColdHeadCapacityW = 1.5;

    /// <summary>r∞ / r1: boil-off grows to ~2–3× as the shield warms after a cooler stop (domain.md §5.1).</summary>
    public const double ShieldWarmingMultiplier = 2.5;

    /// <summary>Ts of the shield warming, days (domain.md §5.1: 1–3 d).</summary>
    public const double ShieldTimeConstantDays = 2.0;

    public const double QuenchLevelPct = 25;

    public static readonly string[] ParameterNames =
        ["coldhead_wear", "coldhead_stopped", "compressor_wear", "compressor_stopped", "chiller_loss", "vacuum_leak_w", "gradient_amp_wear", "rf_amp_wear"];

    public static readonly string[] ExtraStateNames =
        ["he_litres", "heat_load_w", "boiloff_rate_l_per_day", "coldhead_capacity_w"];

    private const int PColdHeadWear = 0, PColdHeadStopped = 1, PCompWear = 2, PCompStopped = 3, PChiller = 4, PVacuum = 5, PGpa = 6, PRf = 7;

    private readonly int _sHe, _sBoil, _sMagP, _sT2, _sT1, _sRun, _sSup, _sRet, _sCur, _sDis, _sHours, _sWs, _sWr, _sFlow, _sGw, _sGc, _sGa, _sRfF, _sRfR, _sB0, _sRoomT, _sRoomRh, _sDisk;
    private readonly int _eSys1, _eSys2, _eSys3, _eSys6, _eExam0, _eExam1, _eProt, _eSeq0, _eSeq1, _eSeqAbort, _eCal, _eQa, _eNet, _eCry, _eHeLow, _eHeCrit, _eHeFill, _eTrip, _eStart, _eH2o, _eGrdHot, _eEnv, _eQuench;

    // Per-device constants (drawn once).
    private readonly double _capacityL, _q0, _r0, _t2Base, _t1Base, _p0, _tw0, _flow0, _roomBase;

    // State.
    private double _heL, _shield, _t2, _t1, _supP, _retP, _discharge, _hours, _gc, _ga, _gw, _ws, _wr, _flow, _room, _rh, _disk, _boilRate, _heatLoad, _capacity;
    private bool _running = true;
    private double _heAtDayStart;
    private long _readyFrom, _readyTo;
    private bool _seqRunning;
    private long _seqEnd, _seqNext;
    private double _duty;
    private bool _firstSeq;
    private double _rfFwd = 8500, _rfRefl = 1.8;
    private long _qaAt = long.MinValue;
    private double _b0;

    public MriModel(DeviceSpec spec, ModalityCatalog catalog, ModelContext context)
        : base(spec, catalog, ParameterNames, context)
    {
        _sHe = Signal("he_level_pct", 2);
        _sBoil = Signal("boiloff_l_per_day", 2);
        _sMagP = Signal("magnet_pressure_psig", 2);
        _sT2 = Signal("coldhead_stage2_k", 3);
        _sT1 = Signal("coldhead_stage1_k", 2);
        _sRun = Signal("compressor_running", 0);
        _sSup = Signal("compressor_supply_psig", 1);
        _sRet = Signal("compressor_return_psig", 1);
        _sCur = Signal("compressor_current_a", 2);
        _sDis = Signal("compressor_discharge_temp_c", 1);
        _sHours = Signal("compressor_hours_h", 1);
        _sWs = Signal("chilled_water_supply_c", 2);
        _sWr = Signal("chilled_water_return_c", 2);
        _sFlow = Signal("chilled_water_flow_gpm", 1);
        _sGw = Signal("gradient_water_temp_c", 2);
        _sGc = Signal("gradient_coil_temp_c", 2);
        _sGa = Signal("gradient_amp_temp_c", 2);
        _sRfF = Signal("rf_forward_w", 0);
        _sRfR = Signal("rf_reflected_pct", 2);
        _sB0 = Signal("b0_drift_ppm_per_h", 4);
        _sRoomT = Signal("room_temp_c", 2);
        _sRoomRh = Signal("room_rh_pct", 1);
        _sDisk = Signal("host_disk_used_pct", 1);

        _eSys1 = EventId("MR-SYS-001");
        _eSys2 = EventId("MR-SYS-002");
        _eSys3 = EventId("MR-SYS-003");
        _eSys6 = EventId("MR-SYS-006");
        _eExam0 = EventId("MR-EXM-010");
        _eExam1 = EventId("MR-EXM-011");
        _eProt = EventId("MR-EXM-012");
        _eSeq0 = EventId("MR-SEQ-020");
        _eSeq1 = EventId("MR-SEQ-021");
        _eSeqAbort = EventId("MR-SEQ-022");
        _eCal = EventId("MR-CAL-030");
        _eQa = EventId("MR-QA-031");
        _eNet = EventId("MR-NET-040");
        _eCry = EventId("MR-CRY-101");
        _eHeLow = EventId("MR-HE-201");
        _eHeCrit = EventId("MR-HE-202");
        _eHeFill = EventId("MR-HE-204");
        _eTrip = EventId("MR-CMP-301");
        _eStart = EventId("MR-CMP-302");
        _eH2o = EventId("MR-H2O-401");
        _eGrdHot = EventId("MR-GRD-502");
        _eEnv = EventId("MR-ENV-701");
        _eQuench = EventId("MR-MAG-802");

        _capacityL = spec.HeliumCapacityLitres;
        _q0 = 1.1 + 0.2 * Rng.NextDouble();
        _r0 = spec.ZeroBoilOff ? 0 : 0.15 + 0.45 * Rng.NextDouble();
        _t2Base = 4.02 + 0.08 * Rng.NextDouble();
        _t1Base = 38 + 5 * Rng.NextDouble();
        _p0 = 1.0 + 0.4 * Rng.NextDouble();
        _tw0 = 8.5 + 2 * Rng.NextDouble();
        _flow0 = 30 + 8 * Rng.NextDouble();
        _roomBase = 18 + 1.2 * Rng.NextDouble();
        _heL = _capacityL * (0.82 + 0.13 * Rng.NextDouble());
        _heAtDayStart = _heL;
        _hours = 20_000 + 30_000 * Rng.NextDouble();
        _disk = 40 + 30 * Rng.NextDouble();
        _t2 = _t2Base;
        _t1 = _t1Base;
        _supP = 290;
        _retP = 95;
        _discharge = 55;
        _ws = _tw0;
        _wr = _tw0 + 3;
        _flow = _flow0;
        _gw = 20;
        _gc = 21;
        _ga = 25;
        _room = _roomBase;
        _rh = 45;
        UpdateCryo(0);
    }

    public double HeliumLitres => _heL;

    public override double State(string name) => name switch
    {
        "he_level_pct" => 100 * _heL / _capacityL,
        "he_litres" => _heL,
        "heat_load_w" => _heatLoad,
        "boiloff_rate_l_per_day" => _boilRate,
        "coldhead_capacity_w" => _capacity,
        "coldhead_stage2_k" => _t2,
        "coldhead_stage1_k" => _t1,
        "magnet_pressure_psig" => MagnetPressure,
        "compressor_running" => _running ? 1 : 0,
        "compressor_supply_psig" => _supP,
        "compressor_return_psig" => _retP,
        "compressor_current_a" => CompressorCurrent,
        "compressor_discharge_temp_c" => _discharge,
        "compressor_hours_h" => _hours,
        "chilled_water_supply_c" => _ws,
        "chilled_water_return_c" => _wr,
        "chilled_water_flow_gpm" => _flow,
        "gradient_water_temp_c" => _gw,
        "gradient_coil_temp_c" => _gc,
        "gradient_amp_temp_c" => _ga,
        "rf_forward_w" => _rfFwd,
        "rf_reflected_pct" => _rfRefl,
        "room_temp_c" => _room,
        "room_rh_pct" => _rh,
        "host_disk_used_pct" => _disk,
        _ => throw new ArgumentException($"mri model has no state '{name}'", nameof(name)),
    };

    private double MagnetPressure => Math.Min(3.8, _p0 + 0.02 * _boilRate);

    private double CompressorCurrent => _running ? 12 + 1.8 * Param[PCompWear] + 0.05 * (_ws - 10) : 0;

    protected override void Step(long m)
    {
        var level = 100 * _heL / _capacityL;
        var localMinute = (m - LocalMidnightOnOrBefore(m)) / Minute;

        // Minute-cadence readings at the start of the minute.
        P(_sMagP, m, MagnetPressure + Noise.Gaussian(0.02));
        P(_sT2, m, _t2 + Noise.Gaussian(0.01));
        P(_sT1, m, _t1 + Noise.Gaussian(0.15));
        P(_sRun, m, _running ? 1 : 0);
        P(_sSup, m, _supP + Noise.Gaussian(1.2));
        P(_sRet, m, _retP + Noise.Gaussian(0.8));
        P(_sCur, m, CompressorCurrent + (_running ? Noise.Gaussian(0.08) : 0));
        P(_sDis, m, _discharge + Noise.Gaussian(0.3));
        P(_sHours, m, _hours);
        P(_sWs, m, _ws + Noise.Gaussian(0.08));
        P(_sWr, m, _wr + Noise.Gaussian(0.08));
        P(_sFlow, m, _flow + Noise.Gaussian(0.3));
        P(_sGw, m, _gw + Noise.Gaussian(0.05));
        if (m % (15 * Minute) == 0)
        {
            // He level probe: ±1 % FS noise (domain.md §1: σ ≈ 1–2 % FS; old indicators ±5 %).
            P(_sHe, m, Math.Clamp(level + Noise.Gaussian(0.6), 0, 100));
        }

        if (m % (5 * Minute) == 0)
        {
            P(_sRoomT, m, _room + Noise.Gaussian(0.1));
            P(_sRoomRh, m, _rh + Noise.Gaussian(0.5));
        }

        if (m % Hour == 0)
        {
            P(_sDisk, m, _disk);
        }

        if (m == _qaAt)
        {
            P(_sB0, m, _b0);
        }

        if (localMinute == 5)
        {
            // Derived daily boil-off from the level over the last day (L/day), as the vendor's service software reports it.
            var litres = Math.Max(0, _heAtDayStart - _heL);
            P(_sBoil, m, Math.Max(0, litres + Noise.Gaussian(0.08)));
            _heAtDayStart = _heL;
        }

        // Alarms on the true state.
        Alarm(_eHeLow, level < 60 && level >= 40, m, 6);
        Alarm(_eHeCrit, level < 40, m, 2);
        Alarm(_eCry, _t2 > 4.4, m, 6);
        Alarm(_eH2o, _ws > 15 || _flow < 20, m, 1);
        Alarm(_eEnv, _room > 21.5 || _room < 14.5 || _rh > 60, m, 4);

        // Work second by second while the system is ready (gradient temperatures at 1 s) or an exam starts.
        var ready = !IsDown && ((m >= _readyFrom && m < _readyTo) || ExamWithinMinute(m));
        if (ready)
        {
            var aCoil = 1 - Math.Exp(-1.0 / 360);
            var aAmp = 1 - Math.Exp(-1.0 / 180);
            for (var s = 0; s < 60; s++)
            {
                var t = m + s * Second;
                var examining = ExamTick(t);
                var duty = _seqRunning ? _duty : 0;
                _gc += (_gw + duty * 28 - _gc) * aCoil;
                _ga += (_gw + 4 + duty * 14 + 12 * Param[PGpa] - _ga) * aAmp;
                P(_sGc, t, _gc + Noise.Gaussian(0.05));
                P(_sGa, t, _ga + Noise.Gaussian(0.05));
                if (_seqRunning && s % 10 == 0)
                {
                    Alarm(_eGrdHot, _gc > 52, t, 1);
                }

                if (examining)
                {
                    // Per-sequence lines are stamped inside this second, after its 1 s lines.
                    Sequences(t);
                }
            }
        }
        else
        {
            SkipPastExams(m + Minute);
            var a = 1 - Math.Exp(-60.0 / 360);
            _gc += (_gw - _gc) * a;
            _ga += (_gw + 4 + 12 * Param[PGpa] - _ga) * (1 - Math.Exp(-60.0 / 180));
        }

        Slow(m);
        UpdateCryo(1.0 / 1440);
        if (100 * _heL / _capacityL < QuenchLevelPct && !DownByPhysics)
        {
            // Too little helium to keep the coil superconducting: quench boils most of what is left (domain.md §1).
            Ev(_eQuench, m + Minute);
            _heL *= 0.3;
            DownByPhysics = true;
        }
    }

    private void Sequences(long t)
    {
        var exam = CurrentExam;
        if (_seqRunning && t >= _seqEnd)
        {
            _seqRunning = false;
            Ev(Noise.Chance(0.03) ? _eSeqAbort : _eSeq1, t);
            _seqNext = t + (long)(20_000 + Noise.NextDouble() * 70_000);
        }

        if (!_seqRunning && t >= _seqNext && t + 150 * Second < exam.End - 2 * Minute)
        {
            _seqRunning = true;
            _seqEnd = t + (long)((90 + Noise.NextDouble() * 270) * Second);
            _duty = 0.2 + 0.7 * Noise.NextDouble();
            if (_firstSeq)
            {
                Ev(_eCal, t + 200);
                _firstSeq = false;
            }

            Ev(_eSeq0, t + 600);
            _rfFwd = Math.Max(0, 8500 * (1 - 0.3 * Param[PRf]) * (0.8 + 0.4 * Noise.NextDouble()));
            _rfRefl = 1.8 + 9 * Param[PRf] + Math.Abs(Noise.Gaussian(0.4));
            P(_sRfF, t + 600, _rfFwd);
            P(_sRfR, t + 600, _rfRefl);
        }
    }

    protected override void OnExamStart(in Exam exam)
    {
        Ev(_eProt, exam.Start);
        Ev(_eExam0, exam.Start + 4 * Second);
        _firstSeq = true;
        _seqRunning = false;
        _seqNext = exam.Start + (long)((120 + Noise.NextDouble() * 120) * Second);
        _disk = Math.Min(95, _disk + 0.02);
    }

    protected override void OnExamEnd(in Exam exam)
    {
        if (_seqRunning)
        {
            _seqRunning = false;
            Ev(_eSeq1, exam.End);
        }

        Ev(_eExam1, exam.End + Second);
    }

    protected override void OnDayStart(long midnight, bool weekend)
    {
        var u = Usage;
        var open = weekend ? u.WeekendOpenHour : u.WeekdayOpenHour;
        var close = weekend ? u.WeekendCloseHour : u.WeekdayCloseHour;
        _readyFrom = midnight + (long)((open - 0.5) * Hour);
        _readyTo = midnight + (long)((close + 0.5) * Hour);
        if (IsDown)
        {
            return;
        }

        Ev(_eSys6, midnight + 2 * Hour + (long)(Rng.NextDouble() * 20 * Minute));
        Ev(_eSys1, _readyFrom - 5 * Minute);
        Ev(_eQa, _readyFrom + 5 * Minute);
        Ev(_eSys3, _readyFrom + 20 * Minute);
        Ev(_eSys3, midnight + (long)((open + 6) * Hour));
        Ev(_eSys2, _readyTo);
        _qaAt = _readyFrom + 5 * Minute;
        _b0 = 0.02 + 0.01 * Rng.NextDouble() + 0.05 * Param[PCompWear];
        if (Rng.NextDouble() < 0.25)
        {
            Ev(_eNet, midnight + (long)((open + Rng.NextDouble() * (close - open)) * Hour));
        }

        if (_disk > 80)
        {
            _disk = 45 + 5 * Rng.NextDouble();
        }
    }

    private void Slow(long m)
    {
        var hourOfDay = (m - LocalMidnightOnOrBefore(m)) / (double)Hour;
        var dayOfYear = (m / Day) % 365;
        var diurnal = Math.Sin(2 * Math.PI * (hourOfDay - 9) / 24);
        var seasonal = Math.Sin(2 * Math.PI * (dayOfYear - 110) / 365);
        _room = _roomBase + 0.6 * diurnal + 0.5 * seasonal;
        _rh = 45 + 6 * seasonal + 2 * diurnal;

        var activity = _seqRunning ? 1.0 : Examining ? 0.5 : 0.0;
        _ws = _tw0 + 0.3 * diurnal + 18 * Param[PChiller];
        _flow = _flow0 * (1 - 0.45 * Param[PChiller]);
        var heatKw = (_running ? 20 : 4) + 15 * activity;
        _wr = _ws + heatKw / (0.264 * _flow);
        _gw = 20 + 0.3 * (_ws - 9.5) + 1.2 * activity;

        // Compressor protection: trips on a stop command, warm water or over-temperature; restarts once water is back.
        var wantStop = Param[PCompStopped] >= 0.5 || _ws > 25 || _discharge > 95;
        if (_running && wantStop)
        {
            _running = false;
            Ev(_eTrip, m + Minute);
        }
        else if (!_running && !wantStop && _ws < 20)
        {
            _running = true;
            Ev(_eStart, m + Minute);
        }

        var lag5 = 1 - Math.Exp(-1.0 / 5);
        var lag10 = 1 - Math.Exp(-1.0 / 10);
        var supT = _running ? 290 - 14 * Param[PCompWear] : 230;
        var retT = _running ? 95 + 4 * Param[PCompWear] : 230;
        _supP += (supT - _supP) * lag5;
        _retP += (retT - _retP) * lag5;
        var disT = _running ? 52 + 1.1 * (_ws - 9.5) + 9 * Param[PCompWear] : _room + 5;
        _discharge += (disT - _discharge) * lag10;
        if (_running)
        {
            _hours += 1.0 / 60;
        }
    }

    /// <summary>
    /// Cryogenics over <paramref name="dtDays"/>: cold-head capacity C against heat load Q = Q0·(1 + (m−1)·s) + leak,
    /// shield warming s → s* with time constant Ts, boil-off r = 34 L/day/W · max(0, Q − C) + r0 (domain.md §5.1).
    /// </summary>
    private void UpdateCryo(double dtDays)
    {
        var cooling = _running && Param[PColdHeadStopped] < 0.5;
        var cw = Param[PColdHeadWear];
        var comp = Param[PCompWear];
        _capacity = cooling ? ColdHeadCapacityW * Math.Max(0, 1 - 0.6 * cw - 0.12 * comp) : 0;
        var shieldTarget = cooling ? Math.Min(1, 0.15 * cw * cw + 0.08 * comp) : 1;
        _shield += (shieldTarget - _shield) * (1 - Math.Exp(-dtDays / ShieldTimeConstantDays));
        _heatLoad = _q0 * (1 + (ShieldWarmingMultiplier - 1) * _shield) + Param[PVacuum];
        _boilRate = LitresPerDayPerWatt * Math.Max(0, _heatLoad - _capacity) + _r0;
        _heL = Math.Max(0, _heL - _boilRate * dtDays);

        var t2Target = cooling ? _t2Base + 0.7 * cw + 0.05 * comp : 4.25 + 14 * _shield;
        var t1Target = _t1Base + 100 * _shield + 3 * comp;
        var lag = dtDays <= 0 ? 0 : 1 - Math.Exp(-dtDays * 1440 / 30);
        _t2 += (t2Target - _t2) * lag;
        _t1 += (t1Target - _t1) * lag;
    }

    private void TopOff(long ts, double targetPct, string why)
    {
        var before = 100 * _heL / _capacityL;
        if (before >= targetPct - 0.5)
        {
            return;
        }

        var added = (targetPct / 100 * _capacityL) - _heL;
        _heL = targetPct / 100 * _capacityL;
        _heAtDayStart += added;
        Ev(_eHeFill, ts);
        AddMaintenance(new Core.WireFormat.MaintenanceRecord(ts, "cryostat", Core.WireFormat.MaintenanceAction.Service,
            $"Helium top-off{why}: {added:0} L LHe added, level {before:0} % -> {targetPct:0} %", Engineer()));
    }

    protected override void ResetComponent(string component, long ts)
    {
        if (DownByPhysics)
        {
            // After a quench: re-fill and ramp the magnet back up.
            TopOff(ts, 95, " after quench, magnet re-ramped");
            DownByPhysics = false;
        }

        switch (component)
        {
            case "cold_head":
            case "compressor":
            case "cryostat":
            case "water_loop":
                _shield *= 0.2;
                _t2 = _t2Base + 0.1;
                if (100 * _heL / _capacityL < 80)
                {
                    TopOff(ts, 95, " after repair");
                }

                break;
        }
    }

    protected override (string Component, string Text) Service(long ts)
    {
        var level = 100 * _heL / _capacityL;
        if (level < 80)
        {
            TopOff(ts, 95, "");
        }

        return ("compressor", $"PM: compressor adsorber replaced at {_hours:0} run hours; cold head, water flow and He level ({level:0} %) checked");
    }
}
