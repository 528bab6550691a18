using EquipmentTwin.Core.Catalog;
using EquipmentTwin.Simulator.Faults;
using EquipmentTwin.Simulator.Fleets;

namespace EquipmentTwin.Simulator.Devices;

/// <summary>
/// X-ray (fixed or mobile): anode heat units with Newton cooling, housing temperature, filament wear, generator
/// regulation, flat-panel detector, and the Li-ion battery of mobile units (domain.md §3, §5.2, §5.5).
/// </summary>
internal sealed class XrayModel : DeviceModel
{
    /// <summary>Anode heat capacity, HU (catalog: ~300 kHU anode).</summary>
    public const double AnodeCapacityHu = 300_000;

    /// <summary>Anode cooling τ, minutes: 294 kHU → 50 kHU in 5.5 min (domain.md §3 [21]) gives τ = 5.5 / ln(294/50) ≈ 3.1 min.</summary>
    public const double AnodeCoolingMinutes = 3.1;

    /// <summary>Calendar fade of battery SoH at 25 °C, % per day, and cycle fade, % per equivalent full cycle (est).</summary>
    public const double CalendarFadePctPerDay = 0.006;

    public const double CycleFadePct = 0.02;

    /// <summary>Activation energy of Li-ion calendar ageing, eV (domain.md §5.2: 0.5–0.7).</summary>
    public const double BatteryActivationEv = 0.6;

    public static readonly string[] ParameterNames =
        ["filament_wear", "anode_roughening", "detector_cooling_loss", "battery_capacity_loss_pct", "battery_heat_c", "generator_wear", "rotor_wear"];

    public static readonly string[] ExtraStateNames = ["filament_drift_pct"];

    private const int PFilament = 0, PAnode = 1, PDetCool = 2, PBattLoss = 3, PBattHeat = 4, PGen = 5, PRotor = 6;

    private readonly int _sCount, _sMas, _sHu, _sHeat, _sHousing, _sRotor, _sOutput, _sFil, _sKv, _sKvDev, _sMaDev, _sInv, _sDet, _sBad, _sClusters, _sDrops, _sRoomT, _sDisk;
    private readonly int _sSoh = -1, _sSoc = -1, _sCycles = -1, _sCell = -1, _sCharge = -1;
    private readonly int _eSys1, _eSys2, _eSys3, _eSys6, _eExam0, _eExam1, _eProt, _eExp, _eExpAbort, _eCal, _eQa, _eNet, _eHeat, _eDetT, _eBatLow, _eBad;

    private readonly double _roomBase;
    private double _i0;
    private double _heat, _housing, _inv, _det, _room, _disk, _count, _totalMas, _badPixels, _clusters, _drops;
    private double _soh, _soc = 100, _cycles, _cell, _lastChargeMinutes = 150, _chargeStartSoc = -1, _chargeMinutes;
    private readonly List<long> _exposures = [];
    private int _expIdx;
    private long _activeUntil = long.MinValue;
    private long _qaAt = long.MinValue, _calAt = long.MinValue;
    private long _closeAt, _openAt;
    private double _output = 0.055;

    public XrayModel(DeviceSpec spec, ModalityCatalog catalog, ModelContext context)
        : base(spec, catalog, ParameterNames, context)
    {
        _sCount = Signal("exposure_count", 0);
        _sMas = Signal("tube_total_mas", 0);
        _sHu = Signal("tube_heat_units_khu", 1);
        _sHeat = Signal("anode_heat_pct", 1);
        _sHousing = Signal("tube_housing_temp_c", 1);
        _sRotor = Signal("rotor_accel_time_s", 3);
        _sOutput = Signal("tube_output_mgy_per_mas", 4);
        _sFil = Signal("filament_current_a", 3);
        _sKv = Signal("kv_actual_kv", 1);
        _sKvDev = Signal("generator_kv_deviation_pct", 2);
        _sMaDev = Signal("generator_ma_deviation_pct", 2);
        _sInv = Signal("generator_inverter_temp_c", 1);
        _sDet = Signal("detector_temp_c", 2);
        _sBad = Signal("detector_bad_pixels", 0);
        _sClusters = Signal("detector_uncorrectable_clusters", 0);
        _sDrops = Signal("detector_drop_count", 0);
        _sRoomT = Signal("room_temp_c", 2);
        _sDisk = Signal("host_disk_used_pct", 1);
        if (spec.Mobile)
        {
            _sSoh = Signal("battery_soh_pct", 2);
            _sSoc = Signal("battery_soc_pct", 1);
            _sCycles = Signal("battery_cycles", 1);
            _sCell = Signal("battery_cell_temp_c", 1);
            _sCharge = Signal("battery_charge_time_min", 0);
        }

        _eSys1 = EventId("XR-SYS-001");
        _eSys2 = EventId("XR-SYS-002");
        _eSys3 = EventId("XR-SYS-003");
        _eSys6 = EventId("XR-SYS-006");
        _eExam0 = EventId("XR-EXM-010");
        _eExam1 = EventId("XR-EXM-011");
        _eProt = EventId("XR-EXM-012");
        _eExp = EventId("XR-EXP-020");
        _eExpAbort = EventId("XR-EXP-021");
        _eCal = EventId("XR-CAL-030");
        _eQa = EventId("XR-QA-031");
        _eNet = EventId("XR-NET-040");
        _eHeat = EventId("XR-TUB-130");
        _eDetT = EventId("XR-DET-202");
        _eBatLow = EventId("XR-BAT-302");
        _eBad = EventId("XR-DET-201");

        _roomBase = 21 + 2 * Rng.NextDouble();
        _room = _roomBase;
        _i0 = 4.0 + 0.6 * Rng.NextDouble();
        _housing = 28;
        _inv = 32;
        _det = 28;
        _disk = 30 + 30 * Rng.NextDouble();
        _count = 20_000 + 80_000 * Rng.NextDouble();
        _totalMas = _count * 12;
        _badPixels = 300 + 900 * Rng.NextDouble();
        _soh = 93 + 6 * Rng.NextDouble();
        _cycles = 100 + 300 * Rng.NextDouble();
        _cell = _room + 2;
    }

    private double FilamentDrift => 0.10 * Param[PFilament] + 0.01 * (_count % 200_000) / 200_000;

    private double Soh => Math.Max(0, _soh - Param[PBattLoss]);

    public override double State(string name) => name switch
    {
        "filament_drift_pct" => 100 * FilamentDrift,
        "filament_current_a" => _i0 * (1 + FilamentDrift),
        "battery_soh_pct" => Soh,
        "battery_soc_pct" => _soc,
        "battery_cell_temp_c" => _cell,
        "battery_cycles" => _cycles,
        "tube_heat_units_khu" => _heat / 1000,
        "anode_heat_pct" => 100 * _heat / AnodeCapacityHu,
        "tube_housing_temp_c" => _housing,
        "tube_output_mgy_per_mas" => _output * (1 - 0.45 * Param[PAnode]),
        "rotor_accel_time_s" => 0.9 + 0.9 * Param[PRotor],
        "generator_inverter_temp_c" => _inv,
        "detector_temp_c" => _det,
        "detector_bad_pixels" => _badPixels,
        "room_temp_c" => _room,
        "host_disk_used_pct" => _disk,
        "exposure_count" => _count,
        _ => throw new ArgumentException($"xray model has no state '{name}'", nameof(name)),
    };

    protected override void Step(long m)
    {
        P(_sHousing, m, _housing + Noise.Gaussian(0.1));
        P(_sInv, m, _inv + Noise.Gaussian(0.15));
        P(_sDet, m, _det + Noise.Gaussian(0.08));
        if (Spec.Mobile)
        {
            P(_sSoc, m, _soc);
            P(_sCell, m, _cell + Noise.Gaussian(0.1));
        }

        if (m % (5 * Minute) == 0)
        {
            P(_sCount, m, _count);
            P(_sMas, m, Math.Floor(_totalMas));
            P(_sRoomT, m, _room + Noise.Gaussian(0.1));
        }

        if (m % Hour == 0)
        {
            P(_sDisk, m, _disk);
            P(_sDrops, m, _drops);
        }

        if (m == _qaAt)
        {
            P(_sOutput, m, State("tube_output_mgy_per_mas") * (1 + Noise.Gaussian(0.01)));
            if (Spec.Mobile)
            {
                P(_sSoh, m, Soh + Noise.Gaussian(0.2));
                P(_sCycles, m, _cycles);
                P(_sCharge, m, _lastChargeMinutes);
            }
        }

        if (m == _calAt)
        {
            P(_sBad, m, Math.Floor(_badPixels));
            P(_sClusters, m, _clusters);
            Alarm(_eBad, _badPixels > 4000 || _clusters > 0, m, 24);
        }

        Alarm(_eDetT, _det > 40 || _det < 18, m, 4);
        if (Spec.Mobile)
        {
            Alarm(_eBatLow, _soc < 20, m, 2);
        }

        var tau = AnodeCoolingMinutes * 60;
        var active = !IsDown && (ExamWithinMinute(m) || m < _activeUntil);
        if (active)
        {
            var a = Math.Exp(-1.0 / tau);
            for (var s = 0; s < 60; s++)
            {
                var t = m + s * Second;
                var examining = ExamTick(t);
                _heat *= a;
                P(_sHu, t, _heat / 1000);
                P(_sHeat, t, 100 * _heat / AnodeCapacityHu);
                if (examining)
                {
                    Exposures(t);
                }
            }
        }
        else
        {
            SkipPastExams(m + Minute);
            _heat *= Math.Exp(-60.0 / tau);
            if (m % (5 * Minute) == 0)
            {
                P(_sHu, m + 59 * Second, _heat / 1000);
                P(_sHeat, m + 59 * Second, 100 * _heat / AnodeCapacityHu);
            }
        }

        Slow(m);
    }

    private void Exposures(long t)
    {
        if (_expIdx >= _exposures.Count || t < _exposures[_expIdx])
        {
            return;
        }

        if (_heat > 0.8 * AnodeCapacityHu)
        {
            Alarm(_eHeat, true, t, 0.05);
            _exposures[_expIdx] = t + 10 * Second;
            return;
        }

        _expIdx++;
        var kv = 60 + 65 * Noise.NextDouble();
        var ma = Spec.Mobile ? 100 + 220 * Noise.NextDouble() : 200 + 300 * Noise.NextDouble();
        var sec = 0.01 + 0.24 * Noise.NextDouble() * Noise.NextDouble();
        if (Noise.Chance(0.02))
        {
            Ev(_eExpAbort, t + 400);
            return;
        }

        // HU = f · kV · mA · s with f = 1.4 for a high-frequency generator (domain.md §3).
        _heat += 1.4 * kv * ma * sec;
        _count++;
        _totalMas += ma * sec;
        _activeUntil = Math.Max(_activeUntil, t + 2 * Minute);
        if (Spec.Mobile)
        {
            _soc = Math.Max(0, _soc - 0.06 * 100 / Math.Max(50, Soh));
        }

        var gen = Param[PGen];
        Ev(_eExp, t + 300);
        P(_sRotor, t + 400, 0.9 + 0.9 * Param[PRotor] + Math.Abs(Noise.Gaussian(0.03)));
        P(_sKv, t + 400, kv * (1 + Noise.Gaussian(0.004) + 0.02 * gen));
        P(_sKvDev, t + 400, Noise.Gaussian(0.4) + 2.5 * gen);
        P(_sMaDev, t + 400, Noise.Gaussian(1.0) + 4 * gen);
        P(_sFil, t + 400, _i0 * (1 + FilamentDrift) * (1 + 0.0004 * (ma - 300)) + Noise.Gaussian(0.008));
    }

    protected override void OnExamStart(in Exam exam)
    {
        Ev(_eProt, exam.Start);
        Ev(_eExam0, exam.Start + 2 * Second);
        _exposures.Clear();
        _expIdx = 0;
        var n = 1 + (int)(3.5 * Noise.NextDouble());
        var t = exam.Start + 40 * Second;
        for (var i = 0; i < n && t < exam.End - 10 * Second; i++)
        {
            _exposures.Add(t);
            t += (long)((30 + 60 * Noise.NextDouble()) * Second);
        }

        _disk = Math.Min(95, _disk + 0.004);
        if (Spec.Mobile)
        {
            _soc = Math.Max(0, _soc - 0.5 * 100 / Math.Max(50, Soh));
            if (Noise.Chance(0.0005))
            {
                _drops++;
            }
        }
    }

    protected override void OnExamEnd(in Exam exam)
    {
        Ev(_eExam1, exam.End + Second);
        _activeUntil = Math.Max(_activeUntil, exam.End + Minute);
    }

    protected override void OnDayStart(long midnight, bool weekend)
    {
        var open = weekend ? Usage.WeekendOpenHour : Usage.WeekdayOpenHour;
        var close = weekend ? Usage.WeekendCloseHour : Usage.WeekdayCloseHour;
        _openAt = midnight + (long)((open - 0.5) * Hour);
        _closeAt = midnight + (long)((close + 0.5) * Hour);
        if (IsDown)
        {
            return;
        }

        Ev(_eSys6, midnight + 2 * Hour + (long)(Rng.NextDouble() * 20 * Minute));
        Ev(_eSys1, _openAt);
        Ev(_eQa, _openAt + 10 * Minute);
        _qaAt = _openAt + 10 * Minute;
        Ev(_eSys3, _openAt + 15 * Minute);
        Ev(_eSys3, midnight + (long)((open + 5) * Hour));
        Ev(_eSys2, _closeAt);
        if (IsMonday(midnight))
        {
            // Weekly detector gain/offset calibration with a new defect map (catalog: 604,800 s cadence).
            _calAt = _openAt + 20 * Minute;
            Ev(_eCal, _calAt + 5 * Minute);
            _badPixels += 6 + 4 * Rng.NextDouble() + 400 * Param[PDetCool];
        }

        if (Rng.NextDouble() < 0.2)
        {
            Ev(_eNet, midnight + (long)((open + Rng.NextDouble() * 8) * Hour));
        }

        if (_disk > 80)
        {
            _disk = 40 + 5 * Rng.NextDouble();
        }
    }

    private bool IsMonday(long midnight) =>
        DateTimeOffset.FromUnixTimeMilliseconds(midnight + (long)(Spec.UtcOffsetHours * Hour) + Hour).DayOfWeek == DayOfWeek.Monday;

    private void Slow(long m)
    {
        var hourOfDay = (m - LocalMidnightOnOrBefore(m)) / (double)Hour;
        var dayOfYear = (m / Day) % 365;
        var diurnal = Math.Sin(2 * Math.PI * (hourOfDay - 9) / 24);
        var seasonal = Math.Sin(2 * Math.PI * (dayOfYear - 110) / 365);
        _room = _roomBase + 0.8 * diurnal + 0.8 * seasonal;
        var on = m >= _openAt && m < _closeAt;
        var lag20 = 1 - Math.Exp(-1.0 / 20);
        _housing += (_room + 4 + 60 * _heat / AnodeCapacityHu - _housing) * lag20;
        _inv += (_room + (on ? 10 : 7) + 15 * Param[PGen] - _inv) * lag20;
        _det += (_room + (on ? 6 : 1) + 14 * Param[PDetCool] - _det) * lag20;

        if (!Spec.Mobile)
        {
            return;
        }

        // Mobile battery: plugged in between closing and opening; charging heats the cells.
        var charging = !on && _soc < 100;
        if (charging)
        {
            if (_chargeStartSoc < 0)
            {
                _chargeStartSoc = _soc;
                _chargeMinutes = 0;
            }

            var fullChargeMinutes = 120 + 2.5 * (100 - Soh);
            var before = _soc;
            _soc = Math.Min(100, _soc + 100 / fullChargeMinutes);
            _cycles += (_soc - before) / 100;
            _chargeMinutes++;
            if (_soc >= 100)
            {
                _lastChargeMinutes = _chargeStartSoc < 60 ? _chargeMinutes * 100 / Math.Max(1, 100 - _chargeStartSoc) : _lastChargeMinutes;
                _chargeStartSoc = -1;
            }
        }

        _cell += (_room + 2 + (charging ? 6 : 0) + Param[PBattHeat] - _cell) * lag20;

        // SoH fade: calendar ageing × Arrhenius AF(T_cell) plus cycle ageing (domain.md §5.2: linear · AF).
        var af = Math.Exp(BatteryActivationEv / ProgressionLaw.BoltzmannEvPerK * (1 / 298.15 - 1 / (_cell + 273.15)));
        _soh -= CalendarFadePctPerDay / 1440 * af;
        if (charging)
        {
            _soh -= CycleFadePct * (100 / (120 + 2.5 * (100 - Soh))) / 100;
        }
    }

    protected override void ResetComponent(string component, long ts)
    {
        switch (component)
        {
            case "battery":
                _soh = 100;
                _soc = 100;
                _cycles = 0;
                break;
            case "cathode" or "tube":
                _count = 0;
                _totalMas = 0;
                _i0 = 4.0 + 0.6 * Rng.NextDouble();
                _output = 0.055;
                break;
            case "detector":
                _badPixels = 200 + 200 * Rng.NextDouble();
                _clusters = 0;
                break;
        }
    }

    protected override (string Component, string Text) Service(long ts) =>
        ("generator", $"PM: kV/mA calibration verified, detector recalibrated, tube at {_count:0} exposures" + (Spec.Mobile ? $", battery SoH {Soh:0} %" : ""));
}
