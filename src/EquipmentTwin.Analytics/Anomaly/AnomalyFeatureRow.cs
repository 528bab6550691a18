using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Analytics.Anomaly;

/// <summary>One device's feature vector over the 6-hour window ending at <see cref="WindowEndMs"/>.</summary>
public sealed record AnomalyFeatureRow(string DeviceId, Modality Modality, long WindowEndMs, float[] Values);
