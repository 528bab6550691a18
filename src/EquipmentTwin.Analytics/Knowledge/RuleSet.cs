using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Analytics.Knowledge;

/// <summary>
/// The validated rules of every modality. Within a modality, combinations come after every rule they
/// reference, so one pass in <see cref="For"/> order evaluates a combination on fresh inputs.
/// </summary>
public sealed class RuleSet
{
    private readonly Dictionary<Modality, IReadOnlyList<Rule>> _byModality;

    /// <summary>Takes rules in evaluation order: a combination must come after every rule it references.</summary>
    public RuleSet(IReadOnlyDictionary<Modality, IReadOnlyList<Rule>> byModality)
    {
        foreach (var (modality, rules) in byModality)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var rule in rules)
            {
                if (!seen.Add(rule.Id))
                {
                    throw new ArgumentException($"rule '{rule.Id}' of {modality.ToWire()} is defined twice", nameof(byModality));
                }

                if (rule is CombinationRule c && c.RuleIds.FirstOrDefault(id => !seen.Contains(id) || id == c.Id) is { } missing)
                {
                    throw new ArgumentException($"rule '{c.Id}' of {modality.ToWire()} references '{missing}', which does not come before it", nameof(byModality));
                }
            }
        }

        _byModality = byModality.ToDictionary(p => p.Key, p => p.Value);
    }

    public static RuleSet Empty { get; } = new(new Dictionary<Modality, IReadOnlyList<Rule>>());

    public IReadOnlyCollection<Modality> Modalities => _byModality.Keys;

    /// <summary>Rules of <paramref name="modality"/> in evaluation order; empty when none are configured.</summary>
    public IReadOnlyList<Rule> For(Modality modality) => _byModality.GetValueOrDefault(modality) ?? [];

    public Rule? Find(Modality modality, string id) => For(modality).FirstOrDefault(r => r.Id == id);
}
