namespace EquipmentTwin.Analytics.Knowledge;

/// <summary>Which statistic of a 5-minute bucket a threshold rule compares.</summary>
public enum BucketStat
{
    Mean,
    Max,
    Min,
}
