using EquipmentTwin.Core.Catalog;
using EquipmentTwin.Simulator.Fleets;

namespace EquipmentTwin.Simulator.Devices;

/// <summary>
/// CT: anode heat (HU accounting with Newton cooling), housing oil and cooling pump, filament current with
/// wear, arcing, anode and gantry bearing vibration, slip ring, detector temperature (domain.md §2, §5.3–5.5).
/// </summary>
internal sealed class CtModel : DeviceModel
{
    /// <summary>Heat-unit factor of a high-frequency generator: HU = 1.4 · kV · mA · s (domain.md §3 [21]).</summary>
    public const double HeatUnitFactor = 1.4;

    /// <summary>Anode cooling time constant with a healthy oil circuit, minutes (est).</summary>
    public const double AnodeCoolingMinutes = 4.0;

    /// <summary>Filament current rise at the end of a filament-wear fault: +10 % (domain.md §2: alarm at +5–10 %).</summary>
    public const double FilamentDriftAtFailure = 0.10;

    public static readonly string[] ParameterNames =
        ["anode_bearing_wear", "filament_wear", "cooling_loss", "gantry_bearing_wear", "slip_ring_wear", "detector_temp_offset_c"];

    public static readonly string[] ExtraStateNames = ["filament_drift_pct", "tube_arcs_24h", "anode_heat_mhu"];

    private const int PAnodeBearing = 0, PFilament = 1, PCooling = 2, PGantry = 3, PSlipRing = 4, PDetector = 5;

    private readonly int _sKv, _sMa, _sFil, _sHeat, _sOil, _sPumpF, _sPumpA, _sScanS, _sMas, _sArcs, _sAVib, _sCoast, _sGVib, _sRot, _sRotT, _sJit, _sRip, _sLink, _sDet, _sRoomT, _sRoomRh, _sDisk;
    private readonly int _eSys1, _eSys3, _eSys6, _eExam0, _eExam1, _eProt, _eScan0, _eScan1, _eScanAbort, _eCal, _eQa, _eNet, _eWarm, _eOilHigh, _eWait, _eBlock, _eGanHigh, _eSlr, _eDet;

    private readonly double _hMax, _roomBase;
    private double _i0;
    private double _heat, _oil, _det, _room, _rh, _disk, _scanSeconds, _mas, _arcCount, _rotations, _linkErrors, _rotTime = 0.33;
    private readonly Queue<long> _arcTimes = new();
    private long _qaAt = long.MinValue;
    private readonly List<long> _scanStarts = [];
    private int _scanIdx;
    private long _scanEnd = long.MinValue;
    private double _scanHuPerS;
    private double _lastMa = 300;

    public CtModel(DeviceSpec spec, ModalityCatalog catalog, ModelContext context)
        : base(spec, catalog, ParameterNames, context)
    {
        _sKv = Signal("kv_actual_kv", 1);
        _sMa = Signal("ma_actual_ma", 0);
        _sFil = Signal("filament_current_a", 3);
        _sHeat = Signal("anode_heat_pct", 1);
        _sOil = Signal("tube_oil_temp_c", 1);
        _sPumpF = Signal("cooling_pump_freq_hz", 2);
        _sPumpA = Signal("cooling_pump_current_a", 3);
        _sScanS = Signal("tube_scan_seconds", 0);
        _sMas = Signal("tube_total_mas", 0);
        _sArcs = Signal("tube_arc_count", 0);
        _sAVib = Signal("anode_vibration_mm_s", 2);
        _sCoast = Signal("anode_coastdown_s", 1);
        _sGVib = Signal("gantry_vibration_mm_s", 2);
        _sRot = Signal("gantry_rotation_count", 0);
        _sRotT = Signal("rotation_time_s", 3);
        _sJit = Signal("rotation_jitter_pct", 3);
        _sRip = Signal("slip_ring_kv_ripple_pct", 2);
        _sLink = Signal("slip_ring_link_errors", 0);
        _sDet = Signal("detector_temp_c", 2);
        _sRoomT = Signal("room_temp_c", 2);
        _sRoomRh = Signal("room_rh_pct", 1);
        _sDisk = Signal("host_disk_used_pct", 1);

        _eSys1 = EventId("CT-SYS-001");
        _eSys3 = EventId("CT-SYS-003");
        _eSys6 = EventId("CT-SYS-006");
        _eExam0 = EventId("CT-EXM-010");
        _eExam1 = EventId("CT-EXM-011");
        _eProt = EventId("CT-EXM-012");
        _eScan0 = EventId("CT-SCN-020");
        _eScan1 = EventId("CT-SCN-021");
        _eScanAbort = EventId("CT-SCN-022");
        _eCal = EventId("CT-CAL-030");
        _eQa = EventId("CT-QA-031");
        _eNet = EventId("CT-NET-040");
        _eWarm = EventId("CT-TUB-130");
        _eOilHigh = EventId("CT-COL-201");
        _eWait = EventId("CT-COL-202");
        _eBlock = EventId("CT-COL-203");
        _eGanHigh = EventId("CT-GAN-301");
        _eSlr = EventId("CT-SLR-401");
        _eDet = EventId("CT-DET-501");

        _hMax = (5.0 + 3.0 * Rng.NextDouble()) * 1e6;
        _i0 = 4.3 + 0.4 * Rng.NextDouble();
        _roomBase = 20 + 1.5 * Rng.NextDouble();
        _room = _roomBase;
        _rh = 45;
        _oil = 35;
        _det = 36;
        _disk = 40 + 30 * Rng.NextDouble();
        _scanSeconds = 50_000 + 250_000 * Rng.NextDouble();
        _mas = _scanSeconds * 250;
        _rotations = _scanSeconds * 20;
    }

    private double FilamentDrift => FilamentDriftAtFailure * Param[PFilament] + 0.015 * _scanSeconds / 1e6;

    private double AnodeVibration => 0.5 + 3.8 * Param[PAnodeBearing];

    private double GantryVibration => 0.7 + 4.2 * Param[PGantry];

    private double DetectorTarget => 36 + Param[PDetector] + 0.05 * (_room - 21);

    public override double State(string name) => name switch
    {
        "filament_drift_pct" => 100 * FilamentDrift,
        "filament_current_a" => _i0 * (1 + FilamentDrift),
        "tube_arcs_24h" => ArcsLastDay(),
        "anode_heat_mhu" => _heat / 1e6,
        "anode_heat_pct" => 100 * _heat / _hMax,
        "tube_oil_temp_c" => _oil,
        "anode_vibration_mm_s" => AnodeVibration,
        "anode_coastdown_s" => 95 * (1 - 0.55 * Param[PAnodeBearing]),
        "gantry_vibration_mm_s" => GantryVibration,
        "rotation_jitter_pct" => 0.12 + 0.6 * Param[PGantry],
        "slip_ring_kv_ripple_pct" => 0.4 + 1.8 * Param[PSlipRing],
        "detector_temp_c" => _det,
        "cooling_pump_current_a" => 1.1 + 0.4 * Param[PCooling],
        "cooling_pump_freq_hz" => 50 - 1.5 * Param[PCooling],
        "tube_scan_seconds" => _scanSeconds,
        "tube_arc_count" => _arcCount,
        "room_temp_c" => _room,
        "room_rh_pct" => _rh,
        "host_disk_used_pct" => _disk,
        _ => throw new ArgumentException($"ct model has no state '{name}'", nameof(name)),
    };

    private int ArcsLastDay()
    {
        while (_arcTimes.Count > 0 && _arcTimes.Peek() < NowMs - Day)
        {
            _arcTimes.Dequeue();
        }

        return _arcTimes.Count;
    }

    protected override void OnFaultEvent(string code, long ts)
    {
        if (code == "CT-TUB-101")
        {
            _arcCount++;
            _arcTimes.Enqueue(ts);
        }
    }

    protected override void Step(long m)
    {
        P(_sPumpF, m, 50 - 1.5 * Param[PCooling] + Noise.Gaussian(0.05));
        P(_sPumpA, m, 1.1 + 0.4 * Param[PCooling] + Noise.Gaussian(0.01));
        P(_sDet, m, _det + Noise.Gaussian(0.06));
        if (m % (5 * Minute) == 0)
        {
            P(_sScanS, m, Math.Floor(_scanSeconds));
            P(_sMas, m, Math.Floor(_mas));
            P(_sArcs, m, _arcCount);
            P(_sRot, m, Math.Floor(_rotations));
            P(_sLink, m, _linkErrors);
            P(_sRoomT, m, _room + Noise.Gaussian(0.1));
            P(_sRoomRh, m, _rh + Noise.Gaussian(0.5));
        }

        if (m % Hour == 0)
        {
            P(_sDisk, m, _disk);
        }

        if (m == _qaAt)
        {
            P(_sCoast, m, State("anode_coastdown_s") + Noise.Gaussian(1.0));
        }

        Alarm(_eOilHigh, _oil > 70, m, 2);
        Alarm(_eBlock, _oil > 80, m, 1);
        Alarm(_eDet, Math.Abs(_det - 36) > 1.0, m, 4);
        Alarm(_eSlr, 0.4 + 1.8 * Param[PSlipRing] > 1.5, m, 24);

        var coolTau = AnodeCoolingMinutes * 60 * (1 + 1.5 * Param[PCooling]);
        if (!IsDown && ExamWithinMinute(m))
        {
            var a = Math.Exp(-1.0 / coolTau);
            for (var s = 0; s < 60; s++)
            {
                var t = m + s * Second;
                var rotating = ExamTick(t);
                _heat = _heat * a + (t < _scanEnd ? _scanHuPerS : 0);
                if (s % 10 == 0)
                {
                    P(_sOil, t, _oil + Noise.Gaussian(0.1));
                }

                if (rotating)
                {
                    _rotations += 1 / _rotTime;
                    P(_sHeat, t, 100 * _heat / _hMax);
                    P(_sAVib, t, AnodeVibration + Math.Abs(Noise.Gaussian(0.06)));
                    P(_sGVib, t, GantryVibration + Math.Abs(Noise.Gaussian(0.07)));
                    if (s == 30)
                    {
                        Alarm(_eGanHigh, GantryVibration > 2.8, t, 8);
                    }

                    // Per-scan lines are stamped inside this second, after its 1 s lines.
                    Scans(t);
                }
            }
        }
        else
        {
            SkipPastExams(m + Minute);
            for (var s = 0; s < 60; s += 10)
            {
                P(_sOil, m + s * Second, _oil + Noise.Gaussian(0.1));
            }

            P(_sHeat, m + 59 * Second, 100 * _heat / _hMax);
            _heat *= Math.Exp(-60.0 / coolTau);
        }

        Slow(m);
    }

    private void Scans(long t)
    {
        if (_scanIdx >= _scanStarts.Count || t < _scanStarts[_scanIdx] || t < _scanEnd)
        {
            return;
        }

        if (_heat > 0.8 * _hMax)
        {
            // Cooling wait: the console holds the next scan until the anode is below 60 % (domain.md §5.5).
            Alarm(_eWait, true, t, 0.05);
            _scanStarts[_scanIdx] = t + 5 * Second;
            return;
        }

        if (_oil > 80)
        {
            _scanStarts[_scanIdx] = t + Minute;
            return;
        }

        _scanIdx++;
        var u = Noise.NextDouble();
        var kv = u < 0.1 ? 80 : u < 0.25 ? 100 : u < 0.9 ? 120 : 135;
        var ma = 100 + 400 * Noise.NextDouble();
        var seconds = 3 + (int)(17 * Noise.NextDouble() * Noise.NextDouble());
        _lastMa = ma;
        _rotTime = Noise.NextDouble() < 0.6 ? 0.28 : Noise.NextDouble() < 0.7 ? 0.35 : 0.5;
        _scanHuPerS = HeatUnitFactor * kv * ma;
        _scanEnd = t + seconds * Second;
        _scanSeconds += seconds;
        _mas += ma * seconds;

        Ev(_eScan0, t + 100);
        var ripple = 0.4 + 1.8 * Param[PSlipRing];
        P(_sKv, t + 300, kv * (1 + Noise.Gaussian(0.003) + (Noise.NextDouble() - 0.5) * ripple / 100));
        P(_sMa, t + 300, ma * (1 + Noise.Gaussian(0.005)));
        P(_sFil, t + 300, _i0 * (1 + FilamentDrift) * (1 + 0.0005 * (ma - 300)) + Noise.Gaussian(0.008));
        P(_sRotT, t + 300, _rotTime);
        P(_sJit, t + 300, 0.12 + 0.6 * Param[PGantry] + Math.Abs(Noise.Gaussian(0.03)));
        P(_sRip, t + 300, ripple + Math.Abs(Noise.Gaussian(0.05)));
        if (Param[PSlipRing] > 0.3 && Noise.Chance(Param[PSlipRing] * 0.2))
        {
            _linkErrors++;
        }

        Ev(Noise.Chance(0.02) ? _eScanAbort : _eScan1, _scanEnd);
    }

    protected override void OnExamStart(in Exam exam)
    {
        Ev(_eProt, exam.Start);
        Ev(_eExam0, exam.Start + 3 * Second);
        _scanStarts.Clear();
        _scanIdx = 0;
        var n = 1 + (int)(4 * Noise.NextDouble());
        var span = Math.Max(30 * Second, exam.End - exam.Start - 90 * Second);
        for (var i = 0; i < n; i++)
        {
            _scanStarts.Add(exam.Start + 45 * Second + (span * i / n) + (long)(Noise.NextDouble() * span / n / 2));
        }

        _disk = Math.Min(95, _disk + 0.01);
    }

    protected override void OnExamEnd(in Exam exam) => Ev(_eExam1, exam.End + Second);

    protected override void OnDayStart(long midnight, bool weekend)
    {
        if (IsDown)
        {
            return;
        }

        var open = weekend ? Usage.WeekendOpenHour : Usage.WeekdayOpenHour;
        var t0 = midnight + (long)((open - 0.75) * Hour);
        Ev(_eSys6, midnight + 2 * Hour + (long)(Rng.NextDouble() * 20 * Minute));
        Ev(_eSys1, t0);
        Ev(_eWarm, t0 + 10 * Minute);
        Ev(_eCal, t0 + 20 * Minute);
        Ev(_eQa, t0 + 30 * Minute);
        _qaAt = t0 + 30 * Minute;
        Ev(_eSys3, t0 + 40 * Minute);
        Ev(_eSys3, midnight + (long)((open + 8) * Hour));
        if (Rng.NextDouble() < 0.25)
        {
            Ev(_eNet, midnight + (long)((open + Rng.NextDouble() * 10) * Hour));
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
        _room = _roomBase + 0.7 * diurnal + 0.6 * seasonal;
        _rh = 45 + 6 * seasonal + 2 * diurnal;

        // Housing oil: first-order lag (τ 15 min) towards room + 12 °C + anode heat share, worse with a weak exchanger.
        var oilTarget = _room + 12 + 45 * (_heat / _hMax) * (1 + 1.2 * Param[PCooling]) + 6 * Param[PCooling];
        _oil += (oilTarget - _oil) * (1 - Math.Exp(-1.0 / 15));
        _det += (DetectorTarget - _det) * (1 - Math.Exp(-1.0 / 20));
    }

    protected override void ResetComponent(string component, long ts)
    {
        switch (component)
        {
            case "tube_insert" or "cathode" or "anode_bearing":
                // New tube: counters since tube install restart, a new filament has its own baseline.
                _scanSeconds = 0;
                _mas = 0;
                _arcCount = 0;
                _arcTimes.Clear();
                _heat = 0;
                _i0 = 4.3 + 0.4 * Rng.NextDouble();
                break;
            case "slip_ring":
                _linkErrors = 0;
                break;
        }
    }

    protected override (string Component, string Text) Service(long ts) =>
        ("gantry_bearing", $"PM: gantry bearing lubricated, slip-ring brushes cleaned, tube seasoning and air calibration done; tube at {_scanSeconds:0} scan-s");
}
