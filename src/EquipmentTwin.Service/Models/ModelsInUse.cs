using EquipmentTwin.Storage.Models;

namespace EquipmentTwin.Service.Models;

/// <summary>The champions the running analytics use, by kind: a snapshot replaced whole when one changes, read without locks.</summary>
public sealed class ModelsInUse
{
    private volatile IReadOnlyDictionary<string, ModelRecord> _champions = new Dictionary<string, ModelRecord>(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, ModelRecord> Champions => _champions;

    public ModelRecord? Find(string kind) => _champions.GetValueOrDefault(kind);

    public void Set(ModelRecord champion)
    {
        var next = new Dictionary<string, ModelRecord>(_champions, StringComparer.Ordinal) { [champion.Kind] = champion };
        _champions = next;
    }
}
