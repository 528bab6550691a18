using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Analytics.Anomaly;

/// <summary>
/// One device's feature vector over the 6-hour window ending at <see cref="WindowEndMs"/>, and which features
/// the engine treats as unknown in that window (<see cref="Missing"/>: their signal was under a data-quality
/// issue; null when nothing was), so that calibration scores a row exactly as the live engine does.
/// </summary>
public sealed record AnomalyFeatureRow(string DeviceId, Modality Modality, long WindowEndMs, float[] Values, bool[]? Missing = null);
