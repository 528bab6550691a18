using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Analytics.Tests.Anomaly;

public enum SensorFaultKind
{
    Stuck,
    Spikes,
    Dropout,
}

/// <summary>A sensor fault: the reading misbehaves, the machine does not.</summary>
public sealed record SensorFault(string Signal, SensorFaultKind Kind, double FromDay, double ToDay);

/// <summary>
/// A small MRI-like device in event time (seeded): a daily usage cycle with day-to-day intensity and quiet
/// weekends, a slowly wandering site temperature, load-driven heating, the cryo chain following the chilled
/// water, device-specific offsets and noise; one reading per 5 minutes (He level per 15), exam events.
/// Optional slow joint drift of the cryo/compressor signals and sensor faults.
/// </summary>
public sealed class SyntheticMri
{
    public static readonly string[] DriftSignals = ["coldhead_stage1_k", "coldhead_stage2_k", "compressor_current_a", "compressor_discharge_temp_c"];

    /// <summary>Drift per day in signal units, about 0.06 of each signal's typical baseline σ per day.</summary>
    public static readonly IReadOnlyDictionary<string, double> DriftPerDay = new Dictionary<string, double>
    {
        ["coldhead_stage1_k"] = 0.025,
        ["coldhead_stage2_k"] = 0.0012,
        ["compressor_current_a"] = 0.010,
        ["compressor_discharge_temp_c"] = 0.08,
    };

    private const long StepMs = 5 * 60_000;
    private readonly int _seed;
    private readonly int _days;
    private readonly double[] _intensity;
    private readonly double[] _ambient;
    private readonly double[] _offset;

    public SyntheticMri(int seed, int days)
    {
        _seed = seed;
        _days = days;
        var r = new Random(seed);
        _intensity = new double[days + 1];
        _ambient = new double[days + 2];
        for (var d = 0; d <= days; d++)
        {
            _intensity[d] = d % 7 is 5 or 6 ? 0.2 + 0.2 * r.NextDouble() : 0.6 + 0.4 * r.NextDouble();
        }

        for (var d = 1; d < _ambient.Length; d++)
        {
            _ambient[d] = 0.7 * _ambient[d - 1] + 0.8 * Gauss(r);
        }

        _offset = Enumerable.Range(0, 10).Select(_ => Gauss(r)).ToArray();
    }

    public double? DriftStartDay { get; init; }

    /// <summary>From this day the device scans around the clock: the night hours are as busy as the day's (a site that starts scanning at night).</summary>
    public double? NightScanningFromDay { get; init; }

    /// <summary>Until this day the device does <see cref="QuietShare"/> of its usual work (a baseline learnt in quiet weeks).</summary>
    public double QuietUntilDay { get; init; }

    public double QuietShare { get; init; } = 0.2;

    /// <summary>From <see cref="StepDay"/> on, these signals read this much higher (a part replaced that reads a little differently).</summary>
    public IReadOnlyDictionary<string, double> Step { get; init; } = new Dictionary<string, double>();

    public double StepDay { get; init; } = double.PositiveInfinity;

    /// <summary>From this day the first stage reads <see cref="SettleKelvin"/> warm, cooling back with a 5-day time constant (a device settling after a repair).</summary>
    public double SettleFromDay { get; init; } = double.PositiveInfinity;

    public double SettleKelvin { get; init; }
    public IReadOnlyList<SensorFault> Faults { get; init; } = [];

    /// <summary>Sends <c>exam_seconds</c>, a counter not in the shipped catalog that rises (0.7 + 0.3 × usage) × 300 s every 5 minutes.</summary>
    public bool ExamCounter { get; init; }

    /// <summary>From this day <c>exam_seconds</c> stops rising while the rest of the device works as before.</summary>
    public double ExamCounterStopsFromDay { get; init; } = double.PositiveInfinity;

    /// <summary>From this day the device is down: no exams, no exam events, the exam counter stops, the coils cool.</summary>
    public double DownFromDay { get; init; } = double.PositiveInfinity;

    /// <summary>The drift added to <paramref name="signal"/> at <paramref name="day"/>, in signal units.</summary>
    public double DriftAt(string signal, double day) =>
        DriftStartDay is { } start && day > start && DriftPerDay.TryGetValue(signal, out var perDay) ? perDay * (day - start) : 0;

    public IEnumerable<LogRecord> Records(long t0)
    {
        var r = new Random(_seed * 7919 + 1);
        var stuck = new Dictionary<string, double>();
        double examSeconds = 0;
        var steps = _days * 288;
        for (var k = 0; k < steps; k++)
        {
            var t = t0 + k * StepMs;
            var day = k / 288.0;
            var hour = (k % 288) / 12.0;
            var d = k / 288;
            var u = day >= DownFromDay ? 0 : (day < QuietUntilDay ? QuietShare : 1) * _intensity[d] * (NightScanningFromDay is { } night && day >= night ? 0.9 : Bump(hour));
            var frac = (k % 288) / 288.0;
            var a = _ambient[d] * (1 - frac) + _ambient[d + 1] * frac + 0.5 * Math.Sin(2 * Math.PI * (hour - 9) / 24);

            var supply = 9 + 0.5 * _offset[0] + 0.8 * a + 0.4 * u + 0.08 * Gauss(r);
            var values = new (string Name, double Value)[]
            {
                ("chilled_water_supply_c", supply),
                ("chilled_water_return_c", supply + 3 + 2.0 * u + 0.1 * Gauss(r)),
                ("chilled_water_flow_gpm", 35 + _offset[9] - 1.5 * (supply - 9) + 0.2 * Gauss(r)),
                ("gradient_water_temp_c", 20 + 0.3 * _offset[9] + 0.7 * (supply - 9) + 0.5 * u + 0.08 * Gauss(r)),
                ("gradient_coil_temp_c", 24 + _offset[1] + 14 * u + 0.3 * a + 0.4 * Gauss(r)),
                ("gradient_amp_temp_c", 27 + _offset[2] + 9 * u + 0.4 * (supply - 9) + 0.3 * Gauss(r)),
                ("compressor_current_a", 12 + 0.3 * _offset[3] + 0.25 * (supply - 9) + 0.05 * Gauss(r)),
                ("coldhead_stage1_k", 40 + _offset[4] + 0.6 * (supply - 9) + 0.1 * Gauss(r)),
                ("coldhead_stage2_k", 4.1 + 0.02 * _offset[5] + 0.03 * (supply - 9) + 0.004 * Gauss(r)),
                ("compressor_discharge_temp_c", 60 + 2 * _offset[6] + 2 * (supply - 9) + 0.2 * Gauss(r)),
                ("room_temp_c", 18 + 0.5 * _offset[7] + 0.5 * a + 0.6 * u + 0.1 * Gauss(r)),
            };

            foreach (var (name, raw) in values)
            {
                var v = raw + DriftAt(name, day) + (day >= StepDay && Step.TryGetValue(name, out var step) ? step : 0)
                        + (name == "coldhead_stage1_k" && day >= SettleFromDay ? SettleKelvin * Math.Exp(-(day - SettleFromDay) / 5) : 0);
                if (Faulty(name, day, k, stuck, ref v))
                {
                    yield return LogRecord.Param(t, name, v);
                }
            }

            if (k % 3 == 0)
            {
                var he = 85 + _offset[8] + 0.2 * Gauss(r);
                if (Faulty("he_level_pct", day, k, stuck, ref he))
                {
                    yield return LogRecord.Param(t, "he_level_pct", he);
                }
            }

            if (ExamCounter)
            {
                examSeconds += day < Math.Min(ExamCounterStopsFromDay, DownFromDay) ? 300 * (0.7 + 0.3 * u) : 0;
                yield return LogRecord.Param(t, "exam_seconds", examSeconds);
            }

            var hours = k / 12.0;
            if (Faulty("compressor_hours_h", day, k, stuck, ref hours))
            {
                yield return LogRecord.Param(t, "compressor_hours_h", hours);
            }

            if (r.NextDouble() < 0.4 * u)
            {
                yield return LogRecord.Event(t + 1000, "MR-EXM-010", Severity.Info, null);
            }

            if (r.NextDouble() < 0.3 / 288)
            {
                yield return LogRecord.Event(t + 2000, "MR-NET-040", Severity.Warning, null);
            }
        }
    }

    /// <summary>Applies the faults of <paramref name="name"/>; false when the reading is dropped.</summary>
    private bool Faulty(string name, double day, int step, Dictionary<string, double> stuck, ref double value)
    {
        foreach (var f in Faults)
        {
            if (f.Signal != name || day < f.FromDay || day >= f.ToDay)
            {
                continue;
            }

            switch (f.Kind)
            {
                case SensorFaultKind.Dropout:
                    return false;
                case SensorFaultKind.Stuck:
                    if (!stuck.TryGetValue(name, out var held))
                    {
                        stuck[name] = held = value;
                    }

                    value = held;
                    break;
                case SensorFaultKind.Spikes when step % 36 == 17:
                    value += 5;
                    break;
            }
        }

        return true;
    }

    /// <summary>Scanning 8:00–18:00 with one-hour ramps.</summary>
    private static double Bump(double hour) => Math.Clamp(Math.Min(hour - 7, 19 - hour), 0, 1);

    private static double Gauss(Random r) => Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());
}
