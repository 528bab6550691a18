namespace EquipmentTwin.Analytics.History;

/// <summary>Aggregate of one signal over one fixed interval of event time starting at <see cref="StartMs"/>.</summary>
public readonly record struct SeriesPoint(long StartMs, double Mean, double Min, double Max, double Last, int Count);
