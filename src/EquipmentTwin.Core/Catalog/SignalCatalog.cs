using System.Text.Json;
using System.Text.Json.Serialization;
using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Core.Catalog;

/// <summary>The catalogs of every modality, loaded from a folder of <c>{modality}.json</c> files.</summary>
public sealed class SignalCatalog
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    private readonly Dictionary<Modality, ModalityCatalog> _byModality;

    public SignalCatalog(IEnumerable<ModalityCatalog> catalogs)
    {
        _byModality = catalogs.ToDictionary(c => c.Modality);
    }

    public IReadOnlyCollection<ModalityCatalog> Modalities => _byModality.Values;

    public ModalityCatalog this[Modality modality] =>
        _byModality.TryGetValue(modality, out var c) ? c : throw new KeyNotFoundException($"no catalog for modality {modality.ToWire()}");

    public ModalityCatalog? Find(Modality modality) => _byModality.GetValueOrDefault(modality);

    /// <summary>Loads every <c>*.json</c> in <paramref name="directory"/>; throws <see cref="CatalogException"/> naming the file and field on any error.</summary>
    public static SignalCatalog LoadDirectory(string directory)
    {
        if (!Directory.Exists(directory))
        {
            throw new CatalogException($"catalog folder '{directory}' does not exist");
        }

        var files = Directory.GetFiles(directory, "*.json").OrderBy(f => f, StringComparer.Ordinal).ToArray();
        if (files.Length == 0)
        {
            throw new CatalogException($"catalog folder '{directory}' holds no .json file");
        }

        var catalogs = new List<ModalityCatalog>();
        foreach (var file in files)
        {
            var catalog = LoadFile(file);
            if (catalogs.Any(c => c.Modality == catalog.Modality))
            {
                throw new CatalogException($"{file}: modality '{catalog.Modality.ToWire()}' is defined twice in {directory}");
            }

            catalogs.Add(catalog);
        }

        return new SignalCatalog(catalogs);
    }

    public static ModalityCatalog LoadFile(string file)
    {
        CatalogFile? doc;
        try
        {
            doc = JsonSerializer.Deserialize<CatalogFile>(File.ReadAllText(file), JsonOptions);
        }
        catch (JsonException ex)
        {
            throw new CatalogException($"{file}: not valid JSON: {ex.Message}", ex);
        }

        if (doc is null)
        {
            throw new CatalogException($"{file}: empty catalog");
        }

        return Validate(file, doc);
    }

    private static ModalityCatalog Validate(string file, CatalogFile doc)
    {
        if (!ModalityNames.TryParse(doc.Modality, out var modality))
        {
            throw new CatalogException($"{file}: field 'modality': '{doc.Modality}' is not mri, ct or xray");
        }

        var components = new List<ComponentDefinition>();
        foreach (var (c, i) in (doc.Components ?? []).Select((c, i) => (c, i)))
        {
            if (string.IsNullOrWhiteSpace(c.Id))
            {
                throw new CatalogException($"{file}: components[{i}].id is missing");
            }

            if (components.Any(x => x.Id == c.Id))
            {
                throw new CatalogException($"{file}: components[{i}].id '{c.Id}' is defined twice");
            }

            components.Add(new ComponentDefinition(c.Id, c.Name ?? c.Id, c.Description ?? "", string.IsNullOrWhiteSpace(c.Unit) ? null : c.Unit) { Feeds = c.Feeds ?? [] });
        }

        var componentIds = components.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        var signals = new List<SignalDefinition>();
        foreach (var (s, i) in (doc.Signals ?? []).Select((s, i) => (s, i)))
        {
            var where = $"{file}: signals[{i}]";
            if (string.IsNullOrWhiteSpace(s.Name) || !WireCodec.IsValidIdentifier(s.Name, 64, allowDotColon: false))
            {
                throw new CatalogException($"{where}.name '{s.Name}' must match [A-Za-z0-9_.-]{{1,64}}");
            }

            if (signals.Any(x => x.Name == s.Name))
            {
                throw new CatalogException($"{where}.name '{s.Name}' is defined twice");
            }

            if (s.Component is null || !componentIds.Contains(s.Component))
            {
                throw new CatalogException($"{where}.component '{s.Component}' is not one of the file's components");
            }

            if (s.NormalMin is { } min && s.NormalMax is { } max && min > max)
            {
                throw new CatalogException($"{where}: normalMin {min} is above normalMax {max}");
            }

            if (s.SampleSeconds is <= 0)
            {
                throw new CatalogException($"{where}.sampleSeconds must be positive");
            }

            signals.Add(new SignalDefinition(s.Name, s.Unit ?? "", s.Component, s.NormalMin, s.NormalMax, s.SampleSeconds ?? 60, s.Cumulative, s.Description ?? "") { DuringUseOnly = s.DuringUseOnly, Workload = s.Workload });
        }

        var events = new List<EventDefinition>();
        foreach (var (e, i) in (doc.Events ?? []).Select((e, i) => (e, i)))
        {
            var where = $"{file}: events[{i}]";
            if (string.IsNullOrWhiteSpace(e.Code) || !WireCodec.IsValidIdentifier(e.Code, 64, allowDotColon: false))
            {
                throw new CatalogException($"{where}.code '{e.Code}' must match [A-Za-z0-9_.-]{{1,64}}");
            }

            if (events.Any(x => x.Code == e.Code))
            {
                throw new CatalogException($"{where}.code '{e.Code}' is defined twice");
            }

            if (!SeverityNames.TryParse(e.Severity, out var severity))
            {
                throw new CatalogException($"{where}.severity '{e.Severity}' is not info, warning, error or critical");
            }

            if (e.Component is null || !componentIds.Contains(e.Component))
            {
                throw new CatalogException($"{where}.component '{e.Component}' is not one of the file's components");
            }

            events.Add(new EventDefinition(e.Code, severity, e.Component, e.Text ?? ""));
        }

        return new ModalityCatalog(modality, doc.Name ?? modality.ToWire(), components, signals, events);
    }

    private sealed class CatalogFile
    {
        public string? Modality { get; set; }
        public string? Name { get; set; }
        public List<ComponentFile>? Components { get; set; }
        public List<SignalFile>? Signals { get; set; }
        public List<EventFile>? Events { get; set; }
    }

    private sealed class ComponentFile
    {
        public string? Id { get; set; }
        public string? Name { get; set; }
        public string? Description { get; set; }
        public string? Unit { get; set; }
        public List<string>? Feeds { get; set; }
    }

    private sealed class SignalFile
    {
        public string? Name { get; set; }
        public string? Unit { get; set; }
        public string? Component { get; set; }
        public double? NormalMin { get; set; }
        public double? NormalMax { get; set; }
        public double? SampleSeconds { get; set; }
        public bool Cumulative { get; set; }
        public bool DuringUseOnly { get; set; }
        public bool Workload { get; set; }
        public string? Description { get; set; }
    }

    private sealed class EventFile
    {
        public string? Code { get; set; }
        public string? Severity { get; set; }
        public string? Component { get; set; }
        public string? Text { get; set; }
    }
}
