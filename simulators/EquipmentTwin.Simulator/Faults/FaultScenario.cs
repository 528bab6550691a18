using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Simulator.Faults;

/// <summary>Whether a fault is in the machine (maintenance needed) or only in what one sensor reports.</summary>
public enum FaultKind
{
    Machine,
    Sensor,
}

/// <summary>
/// A fault scenario as data (seeds/faults/*.json): the component, how it progresses from onset to failure,
/// which physics parameters it moves, when the device counts as failed, and the events it makes the device log.
/// </summary>
public sealed record FaultScenario
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string SourcePath { get; init; }
    public required Modality Modality { get; init; }
    public required string Component { get; init; }
    public required FaultKind Kind { get; init; }

    /// <summary>Onset → failure (machine) or onset → end (sensor), days; a device draws its own duration from this range.</summary>
    public required (double Min, double Max) DurationDays { get; init; }

    public required ProgressionLaw Progression { get; init; }
    public IReadOnlyList<FaultEffect> Effects { get; init; } = [];

    /// <summary>Parameters set when the fault fails the component (e.g. the cold head stops); they hold until repair.</summary>
    public IReadOnlyList<FaultEffect> AtFailure { get; init; } = [];

    /// <summary>The device has failed when any of these holds on the true (noise-free) state; also at progress 1 at the latest.</summary>
    public IReadOnlyList<FailureThreshold> Failure { get; init; } = [];

    public IReadOnlyList<FaultEventRule> Events { get; init; } = [];

    /// <summary>Set for <see cref="FaultKind.Sensor"/>: what happens to the reported values of one signal.</summary>
    public SensorFaultSpec? Sensor { get; init; }

    /// <summary>Signals the fault moves, written to the ground truth.</summary>
    public IReadOnlyList<string> Signals { get; init; } = [];

    /// <summary>A failed machine fault stops exams until repaired.</summary>
    public bool TakesDeviceDown { get; init; } = true;

    public MaintenanceAction RepairAction { get; init; } = MaintenanceAction.Replace;
    public string RepairText { get; init; } = "";
    public string? Description { get; init; }
    public string? References { get; init; }
}

public enum ProgressionLawKind
{
    /// <summary>d = p.</summary>
    Linear,

    /// <summary>d = (e^{k·p} − 1)/(e^{k} − 1): slow start, fast end (wear, bearings, cold heads).</summary>
    Exponential,

    /// <summary>d = (1 − e^{−k·p})/(1 − e^{−k}): fast start, saturating (a leak, a ramp that settles).</summary>
    Saturating,

    /// <summary>d = 1 from onset (a step: chiller off, a stuck sensor).</summary>
    Step,
}

/// <summary>What advances the progress p of a fault from 0 (onset) to 1 (end of duration).</summary>
public enum ProgressionClock
{
    /// <summary>Event time: dp = dt / D.</summary>
    Time,

    /// <summary>Use: dp = (exam time) / (nominal exam time per day · D); wear only while the device works.</summary>
    Usage,

    /// <summary>Temperature-accelerated time: dp = AF(T)·dt / D, AF = exp[(Ea/k)(1/T_ref − 1/T)] (domain.md §5.2).</summary>
    Arrhenius,
}

/// <summary>The progression law of a fault: severity d(p) in [0, 1] as a function of its progress p.</summary>
public sealed record ProgressionLaw(ProgressionLawKind Law, double K, ProgressionClock Clock, double ActivationEnergyEv, double ReferenceTempC, string? TemperatureState)
{
    public const double BoltzmannEvPerK = 8.617e-5;

    public double Severity(double p)
    {
        if (p <= 0)
        {
            return Law == ProgressionLawKind.Step && p >= 0 ? 1 : 0;
        }

        p = Math.Min(p, 1);
        return Law switch
        {
            ProgressionLawKind.Linear => p,
            ProgressionLawKind.Exponential => K <= 1e-9 ? p : (Math.Exp(K * p) - 1) / (Math.Exp(K) - 1),
            ProgressionLawKind.Saturating => K <= 1e-9 ? p : (1 - Math.Exp(-K * p)) / (1 - Math.Exp(-K)),
            ProgressionLawKind.Step => 1,
            _ => p,
        };
    }

    /// <summary>Arrhenius acceleration factor at <paramref name="temperatureC"/> relative to the reference temperature.</summary>
    public double AccelerationFactor(double temperatureC) =>
        Math.Exp(ActivationEnergyEv / BoltzmannEvPerK * (1.0 / (ReferenceTempC + 273.15) - 1.0 / (temperatureC + 273.15)));
}

/// <summary>Moves a device-model parameter: value += <see cref="Max"/> · d (or = Max when used at failure).</summary>
public sealed record FaultEffect(string Parameter, double Max);

/// <summary>Failure condition on a true state value of the device model.</summary>
public sealed record FailureThreshold(string State, double? Above, double? Below)
{
    public bool IsMet(double value) => (Above is { } a && value > a) || (Below is { } b && value < b);

    public override string ToString() => Above is { } a ? $"{State} > {a}" : $"{State} < {Below}";
}

public enum EventLaw
{
    /// <summary>Poisson with rate λ(t) = λ0·e^{κ·d(t)} per day (domain.md §5.7).</summary>
    Poisson,

    /// <summary>Logged while a true state value is beyond a limit, at most once per repeat interval.</summary>
    Threshold,

    /// <summary>Once, at onset.</summary>
    AtOnset,

    /// <summary>Once, at failure.</summary>
    AtFailure,
}

/// <summary>An event a fault makes the device log, and its rate law.</summary>
public sealed record FaultEventRule(string Code, EventLaw Law)
{
    public double Lambda0PerDay { get; init; }
    public double Kappa { get; init; }

    /// <summary>Poisson events only while the device is examining (arcs happen under high voltage).</summary>
    public bool WhenInUse { get; init; }

    public string? State { get; init; }
    public double? Above { get; init; }
    public double? Below { get; init; }
    public double RepeatHours { get; init; } = 24;
    public string? Text { get; init; }
}

public enum SensorFaultMode
{
    /// <summary>The reading freezes at its value at onset.</summary>
    Stuck,

    /// <summary>Random spikes of ±magnitude on an otherwise good reading.</summary>
    Spikes,

    /// <summary>The channel stops reporting.</summary>
    Dropout,

    /// <summary>The reading drifts away linearly (calibration drift) by up to magnitude.</summary>
    Offset,
}

/// <summary>A sensor fault: only the reported values of <see cref="Signal"/> change, never the physics.</summary>
public sealed record SensorFaultSpec(SensorFaultMode Mode, string Signal, double SpikesPerHour, double Magnitude);
