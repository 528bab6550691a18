using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Core.Catalog;

/// <summary>What one modality logs: its components, signals and event codes (seeds/catalog/{modality}.json).</summary>
public sealed class ModalityCatalog
{
    public ModalityCatalog(Modality modality, string name, IEnumerable<ComponentDefinition> components, IEnumerable<SignalDefinition> signals, IEnumerable<EventDefinition> events)
    {
        Modality = modality;
        Name = name;
        Components = components.ToDictionary(c => c.Id, StringComparer.Ordinal);
        Signals = signals.ToDictionary(s => s.Name, StringComparer.Ordinal);
        Events = events.ToDictionary(e => e.Code, StringComparer.Ordinal);
    }

    public Modality Modality { get; }
    public string Name { get; }
    public IReadOnlyDictionary<string, ComponentDefinition> Components { get; }
    public IReadOnlyDictionary<string, SignalDefinition> Signals { get; }
    public IReadOnlyDictionary<string, EventDefinition> Events { get; }

    /// <summary>The components replaced together with <paramref name="component"/> (itself included).</summary>
    public IReadOnlyList<string> ReplacedWith(string component) =>
        Components.TryGetValue(component, out var c) && c.Unit is { } unit
            ? Components.Values.Where(x => x.Unit == unit).Select(x => x.Id).ToArray()
            : [component];

    /// <summary>Whether a fault of <paramref name="upstream"/> reaches <paramref name="downstream"/> through the components it feeds.</summary>
    public bool Feeds(string upstream, string downstream)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var queue = new Queue<string>([upstream]);
        while (queue.TryDequeue(out var c))
        {
            if (!seen.Add(c) || !Components.TryGetValue(c, out var def))
            {
                continue;
            }

            foreach (var next in def.Feeds)
            {
                if (next == downstream)
                {
                    return true;
                }

                queue.Enqueue(next);
            }
        }

        return false;
    }

    public SignalDefinition? FindSignal(string name) => Signals.GetValueOrDefault(name);
    public EventDefinition? FindEvent(string code) => Events.GetValueOrDefault(code);
}
