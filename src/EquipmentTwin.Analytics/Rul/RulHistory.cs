namespace EquipmentTwin.Analytics.Rul;

/// <summary>A parsed run-to-failure (or prediction) file: its feature names, its units in file order, and where it came from.</summary>
public sealed record RulHistory(string Source, string Sha256, IReadOnlyList<string> FeatureNames, IReadOnlyList<RulUnit> Units)
{
    public int Rows => Units.Sum(u => u.Rows);
}
