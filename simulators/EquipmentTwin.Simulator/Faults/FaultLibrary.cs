using EquipmentTwin.Core.Catalog;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Simulator.Devices;

namespace EquipmentTwin.Simulator.Faults;

/// <summary>The fault scenarios of a folder (seeds/faults/*.json), one scenario per file, by id.</summary>
public sealed class FaultLibrary
{
    private readonly Dictionary<string, FaultScenario> _byId;

    public FaultLibrary(IEnumerable<FaultScenario> scenarios)
    {
        _byId = new Dictionary<string, FaultScenario>(StringComparer.Ordinal);
        foreach (var s in scenarios)
        {
            if (!_byId.TryAdd(s.Id, s))
            {
                throw new SimulationConfigException($"{s.SourcePath}: id '{s.Id}' is also defined in {_byId[s.Id].SourcePath}");
            }
        }
    }

    public IReadOnlyCollection<FaultScenario> Scenarios => _byId.Values;

    public FaultScenario? Find(string id) => _byId.GetValueOrDefault(id);

    public static FaultLibrary LoadDirectory(string dir)
    {
        if (!Directory.Exists(dir))
        {
            throw new SimulationConfigException($"{dir}: fault folder does not exist");
        }

        var files = Directory.GetFiles(dir, "*.json").OrderBy(f => f, StringComparer.Ordinal).ToArray();
        return new FaultLibrary(files.Select(LoadFile));
    }

    public static FaultScenario LoadFile(string file)
    {
        using var doc = JsonFields.Parse(file);
        var r = new JsonFields(file, doc.RootElement, "");
        var id = r.RequiredString("id");
        var modalityText = r.RequiredString("modality");
        if (!ModalityNames.TryParse(modalityText, out var modality))
        {
            throw r.Error("modality", $"'{modalityText}' is not mri, ct or xray");
        }

        var kindText = r.RequiredString("kind");
        var kind = kindText switch
        {
            "machine" => FaultKind.Machine,
            "sensor" => FaultKind.Sensor,
            _ => throw r.Error("kind", $"'{kindText}' is not machine or sensor"),
        };

        var parameters = ModelRegistry.Parameters(modality);
        var progression = ReadProgression(r.OptionalObject("progression") ?? throw r.Error("progression", "is required"));

        var effects = ReadEffects(r, "effects", parameters, modality);
        var atFailure = ReadEffects(r, "atFailure", parameters, modality);

        var failure = new List<FailureThreshold>();
        foreach (var f in r.Array("failure"))
        {
            var state = f.RequiredString("state");
            var above = f.OptionalDouble("above");
            var below = f.OptionalDouble("below");
            if (above is null == below is null)
            {
                throw new SimulationConfigException($"{file}: {f.Path} needs exactly one of above or below");
            }

            failure.Add(new FailureThreshold(state, above, below));
        }

        var events = new List<FaultEventRule>();
        foreach (var e in r.Array("events"))
        {
            var code = e.RequiredString("code");
            var lawText = e.RequiredString("law");
            var law = lawText switch
            {
                "poisson" => EventLaw.Poisson,
                "threshold" => EventLaw.Threshold,
                "onset" => EventLaw.AtOnset,
                "failure" => EventLaw.AtFailure,
                _ => throw e.Error("law", $"'{lawText}' is not poisson, threshold, onset or failure"),
            };
            var rule = new FaultEventRule(code, law)
            {
                Lambda0PerDay = e.NonNegative("lambda0PerDay", 0),
                Kappa = e.NonNegative("kappa", 0),
                WhenInUse = e.OptionalBool("whenInUse", false),
                State = e.OptionalString("state"),
                Above = e.OptionalDouble("above"),
                Below = e.OptionalDouble("below"),
                RepeatHours = e.Positive("repeatHours", 24),
                Text = e.OptionalString("text"),
            };
            if (law == EventLaw.Poisson && rule.Lambda0PerDay <= 0)
            {
                throw e.Error("lambda0PerDay", "must be positive for a poisson event");
            }

            if (law == EventLaw.Threshold)
            {
                if (rule.State is null)
                {
                    throw e.Error("state", "is required for a threshold event");
                }

                if (rule.Above is null == rule.Below is null)
                {
                    throw new SimulationConfigException($"{file}: {e.Path} needs exactly one of above or below");
                }
            }

            events.Add(rule);
        }

        SensorFaultSpec? sensor = null;
        if (kind == FaultKind.Sensor)
        {
            var s = r.OptionalObject("sensor") ?? throw r.Error("sensor", "is required for a sensor fault");
            var modeText = s.RequiredString("mode");
            var mode = modeText switch
            {
                "stuck" => SensorFaultMode.Stuck,
                "spikes" => SensorFaultMode.Spikes,
                "dropout" => SensorFaultMode.Dropout,
                "offset" => SensorFaultMode.Offset,
                _ => throw s.Error("mode", $"'{modeText}' is not stuck, spikes, dropout or offset"),
            };
            sensor = new SensorFaultSpec(mode, s.RequiredString("signal"), s.NonNegative("spikesPerHour", 0), s.NonNegative("magnitude", 0));
            if (mode == SensorFaultMode.Spikes && (sensor.SpikesPerHour <= 0 || sensor.Magnitude <= 0))
            {
                throw s.Error("spikesPerHour", "and magnitude must be positive for spikes");
            }

            if (failure.Count > 0 || effects.Count > 0 || atFailure.Count > 0)
            {
                throw r.Error("failure", "(and effects, atFailure) must be empty for a sensor fault: it changes what one sensor reports, not the machine");
            }
        }

        var repair = r.OptionalObject("repair");
        var actionText = repair?.OptionalString("action") ?? (kind == FaultKind.Sensor ? "repair" : "replace");
        if (!MaintenanceActionNames.TryParse(actionText, out var action))
        {
            throw (repair ?? r).Error("action", $"'{actionText}' is not service, repair or replace");
        }

        return new FaultScenario
        {
            Id = id,
            Name = r.OptionalString("name") ?? id,
            SourcePath = file,
            Modality = modality,
            Component = r.RequiredString("component"),
            Kind = kind,
            DurationDays = r.PositiveRange("durationDays"),
            Progression = progression,
            Effects = effects,
            AtFailure = atFailure,
            Failure = failure,
            Events = events,
            Sensor = sensor,
            Signals = r.StringArray("signals"),
            TakesDeviceDown = r.OptionalBool("takesDeviceDown", kind == FaultKind.Machine),
            RepairAction = action,
            RepairText = repair?.OptionalString("text") ?? "",
            Description = r.OptionalString("description"),
            References = r.OptionalString("references"),
        };
    }

    /// <summary>Checks names that need the catalog: component, signals, event codes and sensor signal; errors name the scenario's file.</summary>
    internal void Validate(SignalCatalog catalog)
    {
        foreach (var s in _byId.Values)
        {
            var cat = catalog.Find(s.Modality) ?? throw new SimulationConfigException($"{s.SourcePath}: modality '{s.Modality.ToWire()}' has no catalog");
            if (!cat.Components.ContainsKey(s.Component))
            {
                throw new SimulationConfigException($"{s.SourcePath}: component '{s.Component}' is not a component of modality {s.Modality.ToWire()}");
            }

            for (var i = 0; i < s.Signals.Count; i++)
            {
                if (cat.FindSignal(s.Signals[i]) is null)
                {
                    throw new SimulationConfigException($"{s.SourcePath}: signals[{i}] '{s.Signals[i]}' is not a signal of modality {s.Modality.ToWire()}");
                }
            }

            for (var i = 0; i < s.Events.Count; i++)
            {
                if (cat.FindEvent(s.Events[i].Code) is null)
                {
                    throw new SimulationConfigException($"{s.SourcePath}: events[{i}].code '{s.Events[i].Code}' is not an event code of modality {s.Modality.ToWire()}");
                }
            }

            foreach (var (th, i) in s.Failure.Select((t, i) => (t, i)))
            {
                if (!ModelRegistry.HasState(s.Modality, th.State, cat))
                {
                    throw new SimulationConfigException($"{s.SourcePath}: failure[{i}].state '{th.State}' is not a state of the {s.Modality.ToWire()} model");
                }
            }

            foreach (var (rule, i) in s.Events.Select((e, i) => (e, i)))
            {
                if (rule.State is { } st && !ModelRegistry.HasState(s.Modality, st, cat))
                {
                    throw new SimulationConfigException($"{s.SourcePath}: events[{i}].state '{st}' is not a state of the {s.Modality.ToWire()} model");
                }
            }

            if (s.Progression.TemperatureState is { } ts && !ModelRegistry.HasState(s.Modality, ts, cat))
            {
                throw new SimulationConfigException($"{s.SourcePath}: progression.temperatureState '{ts}' is not a state of the {s.Modality.ToWire()} model");
            }

            if (s.Sensor is { } sensor && cat.FindSignal(sensor.Signal) is null)
            {
                throw new SimulationConfigException($"{s.SourcePath}: sensor.signal '{sensor.Signal}' is not a signal of modality {s.Modality.ToWire()}");
            }
        }
    }

    private static ProgressionLaw ReadProgression(JsonFields p)
    {
        var lawText = p.RequiredString("law");
        var law = lawText switch
        {
            "linear" => ProgressionLawKind.Linear,
            "exponential" => ProgressionLawKind.Exponential,
            "saturating" => ProgressionLawKind.Saturating,
            "step" => ProgressionLawKind.Step,
            _ => throw p.Error("law", $"'{lawText}' is not linear, exponential, saturating or step"),
        };
        var clockText = p.OptionalString("clock") ?? "time";
        var clock = clockText switch
        {
            "time" => ProgressionClock.Time,
            "usage" => ProgressionClock.Usage,
            "arrhenius" => ProgressionClock.Arrhenius,
            _ => throw p.Error("clock", $"'{clockText}' is not time, usage or arrhenius"),
        };
        var k = p.NonNegative("k", 3);
        var ea = p.NonNegative("activationEnergyEv", 0.6);
        var tref = p.OptionalDouble("referenceTempC") ?? 25;
        var temp = p.OptionalString("temperatureState");
        if (clock == ProgressionClock.Arrhenius && temp is null)
        {
            throw p.Error("temperatureState", "is required for the arrhenius clock");
        }

        return new ProgressionLaw(law, k, clock, ea, tref, temp);
    }

    private static List<FaultEffect> ReadEffects(JsonFields r, string field, IReadOnlyList<string> parameters, Modality modality)
    {
        var list = new List<FaultEffect>();
        foreach (var e in r.Array(field))
        {
            var name = e.RequiredString("parameter");
            if (!parameters.Contains(name))
            {
                throw e.Error("parameter", $"'{name}' is not a parameter of the {modality.ToWire()} model ({string.Join(", ", parameters)})");
            }

            list.Add(new FaultEffect(name, e.NonNegative("max", 1)));
        }

        return list;
    }
}
