namespace EquipmentTwin.Analytics.Rul;

/// <summary>Remaining useful life of one unit at its last recorded time, in the file's time unit; P10 ≤ P50 ≤ P90.</summary>
public sealed record RulPrediction(string Unit, double Time, double RulP10, double RulP50, double RulP90);
