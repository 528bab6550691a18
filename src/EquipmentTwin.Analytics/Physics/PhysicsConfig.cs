using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Analytics.Physics;

/// <summary>The physics models of every modality; immutable and shared by all devices.</summary>
public sealed class PhysicsConfig
{
    private readonly Dictionary<Modality, IReadOnlyList<PhysicsModel>> _models;

    public PhysicsConfig(IReadOnlyDictionary<Modality, IReadOnlyList<PhysicsModel>> models)
    {
        _models = models.ToDictionary(kv => kv.Key, kv => kv.Value);
    }

    public IReadOnlyCollection<Modality> Modalities => _models.Keys;

    /// <summary>The models of <paramref name="modality"/>; empty when none are configured.</summary>
    public IReadOnlyList<PhysicsModel> For(Modality modality) => _models.TryGetValue(modality, out var m) ? m : [];
}
