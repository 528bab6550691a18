using System.Text.Json;
using System.Text.Json.Serialization;
using EquipmentTwin.Analytics.Engines;
using EquipmentTwin.Analytics.History;
using EquipmentTwin.Analytics.Physics.Fitting;
using EquipmentTwin.Core.Catalog;
using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Analytics.Physics;

/// <summary>Loads <c>config/physics/{modality}.json</c> and checks every model against the modality's catalog.</summary>
public static class PhysicsConfigLoader
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    private static readonly double MaxWindowDays = DeviceHistory.HourCapacity / 24.0;

    /// <summary>Loads every <c>*.json</c> in <paramref name="directory"/>; throws <see cref="PhysicsConfigException"/> naming file, model and field.</summary>
    public static PhysicsConfig LoadDirectory(string directory, SignalCatalog catalog)
    {
        if (!Directory.Exists(directory))
        {
            throw new PhysicsConfigException($"physics config folder '{directory}' does not exist");
        }

        var files = Directory.GetFiles(directory, "*.json").OrderBy(f => f, StringComparer.Ordinal).ToArray();
        if (files.Length == 0)
        {
            throw new PhysicsConfigException($"physics config folder '{directory}' holds no .json file");
        }

        var byModality = new Dictionary<Modality, IReadOnlyList<PhysicsModel>>();
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var (modality, models) = LoadFile(file, catalog);
            if (byModality.ContainsKey(modality))
            {
                throw new PhysicsConfigException($"{file}: field 'modality': '{modality.ToWire()}' is configured twice in {directory}");
            }

            foreach (var m in models)
            {
                if (ids.TryGetValue(m.Id, out var other))
                {
                    throw new PhysicsConfigException($"{file}: model '{m.Id}': field 'id': already used in {other}");
                }

                ids[m.Id] = file;
            }

            byModality[modality] = models;
        }

        return new PhysicsConfig(byModality);
    }

    public static (Modality Modality, IReadOnlyList<PhysicsModel> Models) LoadFile(string file, SignalCatalog catalog)
    {
        ConfigFile? doc;
        try
        {
            doc = JsonSerializer.Deserialize<ConfigFile>(File.ReadAllText(file), JsonOptions);
        }
        catch (JsonException ex)
        {
            throw new PhysicsConfigException($"{file}: not valid physics config at {ex.Path ?? "$"}: {ex.Message}", ex);
        }

        if (doc is null)
        {
            throw new PhysicsConfigException($"{file}: empty physics config");
        }

        if (!ModalityNames.TryParse(doc.Modality, out var modality))
        {
            throw new PhysicsConfigException($"{file}: field 'modality': '{doc.Modality}' is not mri, ct or xray");
        }

        var modalityCatalog = catalog.Find(modality)
            ?? throw new PhysicsConfigException($"{file}: field 'modality': no catalog for '{modality.ToWire()}'");

        var later = LaterTables(file, doc);
        var models = new List<PhysicsModel>();
        foreach (var (entry, i) in (doc.Models ?? []).Select((m, i) => (m, i)))
        {
            if (entry.ModelSpread is null && doc.ModelSpread is { } spread)
            {
                entry.ModelSpread = spread; // the file's calibrated spread, unless the model sets its own
            }

            var model = Validate(file, i, entry, modalityCatalog);
            model = model with
            {
                BandQuantiles = ModelTable(file, model, entry.BandQuantiles, doc.BandQuantiles, "bandQuantiles", "a weibull-usage model takes its quantiles from its survival law"),
                LaterBandQuantiles = entry.BandQuantiles is null && model.Law != PhysicsLaw.WeibullUsage ? later : [],
                AfterCrossingDays = ModelTable(file, model, entry.AfterCrossingDays, doc.AfterCrossingDays, "afterCrossingDays", "a weibull-usage model has no threshold to cross",
                    t => t.Offsets.Any(d => d < 0) ? "days after a crossing cannot be negative" : null),
            };

            if (models.Any(m => m.Id == model.Id))
            {
                throw new PhysicsConfigException($"{file}: model '{model.Id}': field 'id': defined twice");
            }

            models.Add(model);
        }

        return (modality, models);
    }

    /// <summary>A model's damage clock: a temperature signal of the catalog, Ea in (0, 2] eV, T_ref in °C; linear laws only.</summary>
    private static ArrheniusClock? ReadClock(ClockFile? c, PhysicsLaw law, ModalityCatalog catalog, Func<string, string, PhysicsConfigException> error)
    {
        if (c is null)
        {
            return null;
        }

        if (law is not (PhysicsLaw.Linear or PhysicsLaw.OnsetLinear))
        {
            throw error("clock", "is for the linear and onset-linear laws only");
        }

        if (c.Signal is null || catalog.FindSignal(c.Signal) is not { } signal)
        {
            throw error("clock.signal", $"'{c.Signal}' is not a signal of the {catalog.Modality.ToWire()} catalog");
        }

        if (signal.Unit != "°C")
        {
            throw error("clock.signal", $"'{c.Signal}' is in {signal.Unit}; the clock needs a temperature in °C");
        }

        if (c.ActivationEnergyEv is not (> 0 and <= 2))
        {
            throw error("clock.activationEnergyEv", "must be in (0, 2] eV (domain §5.2: 0.5–0.7)");
        }

        if (c.ReferenceTempC is not { } reference || !(reference > -100 && reference < 200))
        {
            throw error("clock.referenceTempC", "must be a temperature in °C between -100 and 200");
        }

        return new ArrheniusClock(signal.Name, c.ActivationEnergyEv.Value, reference);
    }

    private static PhysicsModel Validate(string file, int index, ModelFile m, ModalityCatalog catalog)
    {
        var name = string.IsNullOrWhiteSpace(m.Id) ? $"models[{index}]" : m.Id;
        PhysicsConfigException Error(string field, string problem) => new($"{file}: model '{name}': field '{field}': {problem}");

        if (string.IsNullOrWhiteSpace(m.Id))
        {
            throw Error("id", "is missing");
        }

        if (m.Component is null || !catalog.Components.ContainsKey(m.Component))
        {
            throw Error("component", $"'{m.Component}' is not a component of the {catalog.Modality.ToWire()} catalog");
        }

        if (!PhysicsLawNames.TryParse(m.Law, out var law))
        {
            throw Error("law", $"'{m.Law}' is not one of {string.Join(", ", Enum.GetValues<PhysicsLaw>().Select(l => l.ToConfig()))}");
        }

        string unit;
        double sampleSeconds;
        var codes = (m.Codes ?? []).ToArray();
        SignalDefinition? signal = null;
        if (law == PhysicsLaw.PoissonRate)
        {
            if (codes.Length == 0)
            {
                throw Error("codes", "a poisson-rate model needs at least one event code");
            }

            foreach (var code in codes)
            {
                if (catalog.FindEvent(code) is null)
                {
                    throw Error("codes", $"'{code}' is not an event code of the {catalog.Modality.ToWire()} catalog");
                }
            }

            unit = "events/day";
            sampleSeconds = 86_400;
        }
        else
        {
            signal = m.Signal is null ? null : catalog.FindSignal(m.Signal);
            if (signal is null)
            {
                throw Error("signal", $"'{m.Signal}' is not a signal of the {catalog.Modality.ToWire()} catalog");
            }

            if (codes.Length > 0)
            {
                throw Error("codes", "only poisson-rate models count events");
            }

            unit = signal.Unit;
            sampleSeconds = signal.SampleSeconds;
        }

        var direction = ThresholdDirection.Above;
        double threshold = 0;
        if (law == PhysicsLaw.WeibullUsage)
        {
            if (signal is not { Cumulative: true })
            {
                throw Error("signal", $"'{m.Signal}' must be a cumulative usage signal for weibull-usage");
            }

            if (m.Eta is not > 0)
            {
                throw Error("eta", "must be a positive Weibull scale in the signal's unit");
            }

            if (m.Beta is not > 0)
            {
                throw Error("beta", "must be a positive Weibull shape");
            }

            threshold = m.Eta.Value;
        }
        else
        {
            if (m.Threshold is not { } th || !double.IsFinite(th))
            {
                throw Error("threshold", "is missing or not a finite number");
            }

            threshold = th;
            direction = m.Direction?.Trim().ToLowerInvariant() switch
            {
                "above" => ThresholdDirection.Above,
                "below" => ThresholdDirection.Below,
                _ => throw Error("direction", $"'{m.Direction}' is not above or below"),
            };
        }

        if (m.RelativeToBaseline)
        {
            if (law is PhysicsLaw.PoissonRate or PhysicsLaw.WeibullUsage)
            {
                throw Error("relativeToBaseline", $"does not apply to {law.ToConfig()}");
            }

            if (threshold == 0 || (threshold > 0) != (direction == ThresholdDirection.Above))
            {
                throw Error("threshold", "a relative threshold is a percent change: positive for above, negative for below");
            }
        }

        if (law == PhysicsLaw.PoissonRate && (direction != ThresholdDirection.Above || threshold <= 0))
        {
            throw Error("threshold", "an event-rate threshold is a positive events/day with direction above");
        }

        if (law is PhysicsLaw.Exponential or PhysicsLaw.OnsetExponential && direction != ThresholdDirection.Above)
        {
            throw Error("direction", $"the {law.ToConfig()} law models growth above its baseline: use above");
        }

        var model = new PhysicsModel
        {
            Id = m.Id,
            Component = m.Component,
            Law = law,
            Signal = signal?.Name,
            Codes = codes,
            Threshold = threshold,
            Direction = direction,
            RelativeToBaseline = m.RelativeToBaseline,
            BaselineDays = m.BaselineDays ?? 7,
            WindowDays = m.WindowDays ?? 14,
            MinPoints = m.MinPoints ?? (law == PhysicsLaw.PoissonRate ? 14 : 24),
            MinSpanDays = m.MinSpanDays ?? 0,
            RefitHours = m.RefitHours ?? 6,
            HorizonDays = m.HorizonDays ?? 60,
            ModelSpread = m.ModelSpread ?? PhysicsModel.DefaultModelSpread,
            ResetCodes = (m.ResetCodes ?? []).ToArray(),
            ResetComponents = (m.ResetComponents ?? []).ToArray(),
            SaturationDays = m.SaturationDays,
            Clock = ReadClock(m.Clock, law, catalog, Error),
            MinDoublingDays = m.MinDoublingDays ?? OnsetExponentialFit.DefaultMinDoublingDays,
            WeibullEta = m.Eta ?? 0,
            WeibullBeta = m.Beta ?? 0,
            Label = string.IsNullOrWhiteSpace(m.Label) ? (signal?.Name ?? string.Join("+", codes)) : m.Label,
            Unit = unit,
            SampleSeconds = sampleSeconds,
        };

        if (model.WindowDays is <= 0 || model.WindowDays > MaxWindowDays)
        {
            throw Error("windowDays", $"must be in (0, {MaxWindowDays}] (the hourly history keeps {MaxWindowDays} days)");
        }

        if (model.BaselineDays is <= 0 || model.BaselineDays > MaxWindowDays)
        {
            throw Error("baselineDays", $"must be in (0, {MaxWindowDays}]");
        }

        if (model.MinPoints < 3)
        {
            throw Error("minPoints", "must be at least 3");
        }

        if (model.MinSpanDays is < 0 || model.MinSpanDays > MaxWindowDays)
        {
            throw Error("minSpanDays", $"must be in [0, {MaxWindowDays}]");
        }

        if (model.RefitHours is < 1 or > 24 * 7)
        {
            throw Error("refitHours", "must be between 1 and 168");
        }

        if (model.HorizonDays <= 0)
        {
            throw Error("horizonDays", "must be positive");
        }

        if (model.SaturationDays is { } ts && (law != PhysicsLaw.ChangePointLinear || ts <= 0))
        {
            throw Error("saturationDays", "is a positive time constant (days) for changepoint-linear only");
        }

        if (m.MinDoublingDays is { } md && (law != PhysicsLaw.OnsetExponential || !(md > 0) || md >= OnsetExponentialFit.MaxDoublingDays))
        {
            throw Error("minDoublingDays", $"is a positive number of days below {OnsetExponentialFit.MaxDoublingDays} for onset-exponential only");
        }

        if (law != PhysicsLaw.WeibullUsage && (m.Eta is not null || m.Beta is not null))
        {
            throw Error(m.Eta is not null ? "eta" : "beta", "only weibull-usage models take Weibull parameters");
        }

        foreach (var component in model.ResetComponents)
        {
            if (!catalog.Components.ContainsKey(component))
            {
                throw Error("resetComponents", $"'{component}' is not a component of the {catalog.Modality.ToWire()} catalog");
            }
        }

        foreach (var code in model.ResetCodes)
        {
            if (catalog.FindEvent(code) is null)
            {
                throw Error("resetCodes", $"'{code}' is not an event code of the {catalog.Modality.ToWire()} catalog");
            }
        }

        return model;
    }

    /// <summary>
    /// The quantile table <paramref name="field"/> of a model: its own (calibrated on its own forecasts) before its file's;
    /// none for a weibull-usage model, whose quantiles come from its survival law (refused when it sets its own).
    /// </summary>
    private static BandQuantiles? ModelTable(string file, PhysicsModel model, Dictionary<string, double>? own, Dictionary<string, double>? fileTable, string field, string weibullProblem, Func<BandQuantiles, string?>? problem = null)
    {
        if (model.Law == PhysicsLaw.WeibullUsage)
        {
            return own is null ? null : throw new PhysicsConfigException($"{file}: model '{model.Id}': field '{field}': {weibullProblem}");
        }

        if ((own ?? fileTable) is not { } table)
        {
            return null;
        }

        var where = own is null ? file : $"{file}: model '{model.Id}'";
        var quantiles = ReadQuantiles(where, table, field);
        return problem?.Invoke(quantiles) is { } message ? throw new PhysicsConfigException($"{where}: field '{field}': {message}") : quantiles;
    }

    /// <summary>
    /// The file's <c>bandQuantilesByAge</c>: tables for older evidence, each from <c>fromDays</c> on (positive, rising); they
    /// extend the file's <c>bandQuantiles</c>, so they need it, and serve the models that take it.
    /// </summary>
    private static IReadOnlyList<AgedBandQuantiles> LaterTables(string file, ConfigFile doc)
    {
        if (doc.BandQuantilesByAge is not { } entries)
        {
            return [];
        }

        if (doc.BandQuantiles is null && entries.Count > 0)
        {
            throw new PhysicsConfigException($"{file}: field 'bandQuantilesByAge': needs the file's 'bandQuantiles' for the youngest evidence");
        }

        var tables = new List<AgedBandQuantiles>();
        foreach (var (entry, i) in entries.Select((e, i) => (e, i)))
        {
            var field = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"bandQuantilesByAge[{i}]");
            if (entry.FromDays is not { } from || !double.IsFinite(from) || from <= 0)
            {
                throw new PhysicsConfigException($"{file}: field '{field}.fromDays': needs a positive number of days since the evidence began");
            }

            if (tables.Count > 0 && from <= tables[^1].FromDays)
            {
                throw new PhysicsConfigException($"{file}: field '{field}.fromDays': must be later than the table before it ({tables[^1].FromDays.ToString(System.Globalization.CultureInfo.InvariantCulture)})");
            }

            var table = entry.BandQuantiles ?? throw new PhysicsConfigException($"{file}: field '{field}.bandQuantiles': required");
            tables.Add(new AgedBandQuantiles(from, ReadQuantiles(file, table, field + ".bandQuantiles")));
        }

        return tables;
    }

    private static BandQuantiles ReadQuantiles(string file, Dictionary<string, double> table, string field)
    {
        var offsets = new double[BandQuantiles.Levels.Length];
        for (var i = 0; i < offsets.Length; i++)
        {
            var key = BandQuantiles.Levels[i].ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);
            if (!table.TryGetValue(key, out offsets[i]) || !double.IsFinite(offsets[i]))
            {
                throw new PhysicsConfigException($"{file}: field '{field}': needs a finite offset for each of {string.Join(", ", BandQuantiles.Levels.Select(l => l.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)))}; '{key}' is missing");
            }
        }

        if (table.Count != offsets.Length)
        {
            throw new PhysicsConfigException($"{file}: field '{field}': unknown level among {string.Join(", ", table.Keys)}");
        }

        var quantiles = BandQuantiles.FromOffsets(offsets);
        return quantiles.IsMonotone ? quantiles : throw new PhysicsConfigException($"{file}: field '{field}': offsets must rise with the level");
    }

    private sealed class ConfigFile
    {
        public string? Modality { get; set; }

        /// <summary>Model-form log-spread for every model of the file (calibrated: docs/models-physics.md).</summary>
        public double? ModelSpread { get; set; }

        /// <summary>How <see cref="ModelSpread"/> was calibrated (free text, kept with the number).</summary>
        public JsonElement? ModelSpreadCalibration { get; set; }

        /// <summary>Per-quantile log offsets from the fit's P50, keyed "0.05" … "0.95" (twin calibrate-bands --quantiles).</summary>
        public Dictionary<string, double>? BandQuantiles { get; set; }

        /// <summary>How <see cref="BandQuantiles"/> was calibrated (free text).</summary>
        public JsonElement? BandQuantilesCalibration { get; set; }

        /// <summary>Tables for older evidence, each from its <c>fromDays</c> on (twin calibrate-bands --quantiles --age-days).</summary>
        public List<AgedTableFile>? BandQuantilesByAge { get; set; }

        /// <summary>How <see cref="BandQuantilesByAge"/> was calibrated (free text).</summary>
        public JsonElement? BandQuantilesByAgeCalibration { get; set; }

        /// <summary>Days from an observed crossing to the failure, keyed "0.05" … "0.95" (twin calibrate-bands --quantiles).</summary>
        public Dictionary<string, double>? AfterCrossingDays { get; set; }

        /// <summary>How <see cref="AfterCrossingDays"/> was calibrated (free text).</summary>
        public JsonElement? AfterCrossingCalibration { get; set; }

        public List<ModelFile>? Models { get; set; }
    }

    private sealed class AgedTableFile
    {
        public double? FromDays { get; set; }
        public Dictionary<string, double>? BandQuantiles { get; set; }

        /// <summary>How many calibration forecasts the table was read from (information only).</summary>
        public int? Forecasts { get; set; }
    }

    private sealed class ModelFile
    {
        public string? Id { get; set; }
        public string? Component { get; set; }
        public string? Law { get; set; }
        public string? Label { get; set; }
        public string? Signal { get; set; }
        public List<string>? Codes { get; set; }
        public double? Threshold { get; set; }
        public string? Direction { get; set; }
        public bool RelativeToBaseline { get; set; }
        public double? BaselineDays { get; set; }
        public double? WindowDays { get; set; }
        public int? MinPoints { get; set; }
        public double? MinSpanDays { get; set; }
        public double? RefitHours { get; set; }
        public double? HorizonDays { get; set; }
        public double? ModelSpread { get; set; }

        /// <summary>This model's own per-quantile log offsets (twin calibrate-bands --quantiles --per-model); the file's table otherwise.</summary>
        public Dictionary<string, double>? BandQuantiles { get; set; }

        /// <summary>How <see cref="BandQuantiles"/> was calibrated (free text).</summary>
        public JsonElement? BandQuantilesCalibration { get; set; }

        /// <summary>This model's own days from an observed crossing to the failure; the file's table otherwise.</summary>
        public Dictionary<string, double>? AfterCrossingDays { get; set; }

        /// <summary>How <see cref="AfterCrossingDays"/> was calibrated (free text).</summary>
        public JsonElement? AfterCrossingCalibration { get; set; }

        public List<string>? ResetCodes { get; set; }
        public List<string>? ResetComponents { get; set; }
        public double? SaturationDays { get; set; }

        /// <summary>An Arrhenius damage clock (domain §5.2) the wear runs on.</summary>
        public ClockFile? Clock { get; set; }

        public double? MinDoublingDays { get; set; }
        public double? Eta { get; set; }
        public double? Beta { get; set; }
        public string? Source { get; set; }
    }

    private sealed class ClockFile
    {
        public string? Signal { get; set; }
        public double? ActivationEnergyEv { get; set; }
        public double? ReferenceTempC { get; set; }
    }
}
