namespace EquipmentTwin.Analytics.Rul;

/// <summary>
/// Accuracy on validation units the model was neither fitted nor calibrated on, at evenly spaced cut points
/// of each unit's life (each unit weighted equally): errors of P50, and the share of true RULs in P10–P90.
/// </summary>
public sealed record RulValidation(int Units, int Points, double Rmse, double Mae, double Coverage80, double MeanIntervalWidth, double MeanTrueRul);
