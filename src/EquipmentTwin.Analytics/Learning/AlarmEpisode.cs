namespace EquipmentTwin.Analytics.Learning;

/// <summary>
/// One alarm the anomaly engine's rule would raise on a device: evidence from <see cref="StartMs"/> (the first window of
/// the 3-of-4 that raised it) that lasted long enough for fusion to open an alert at <see cref="RaisedMs"/>; it ends at
/// <see cref="EndMs"/> (4 windows below in a row, or the last row).
/// </summary>
public sealed record AlarmEpisode(string DeviceId, long StartMs, long RaisedMs, long EndMs);
