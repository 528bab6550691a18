namespace EquipmentTwin.Core.Twins;

/// <summary>When a component is expected to cross its failure threshold (P10/P50/P90, event time) and the fit behind it.</summary>
public sealed record TwinForecast(
    string Component,
    string Signal,
    double Threshold,
    bool Above,
    long P10Ms,
    long P50Ms,
    long P90Ms,
    string Model,
    IReadOnlyDictionary<string, double> Parameters,
    double RSquared,
    int Points,
    long ComputedAtMs);
