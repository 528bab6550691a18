using EquipmentTwin.Analytics.Physics.Fitting;

namespace EquipmentTwin.Analytics.Physics;

/// <summary>
/// What one fit of one model says at one moment: when the threshold is crossed (days from now), how sure,
/// and the fitted values behind it. <see cref="Crossed"/> means the crossing has already been observed.
/// </summary>
internal sealed record Projection(
    CrossingBand Band,
    double Confidence,
    double Threshold,
    double Slope,
    double Current,
    double RSquared,
    int Points,
    IReadOnlyDictionary<string, double> Parameters,
    string Trend,
    string Target,
    string PointsNoun,
    bool Crossed = false);
