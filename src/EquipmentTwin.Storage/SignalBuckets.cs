namespace EquipmentTwin.Storage;

/// <summary>One time bucket of a signal: its extremes, mean and number of readings.</summary>
public sealed record SignalBucket(long StartMs, double Min, double Max, double Mean, long Count);

/// <summary>A signal downsampled into equal buckets of <see cref="BucketMs"/>; buckets without readings are omitted.</summary>
public sealed record SignalBuckets(long BucketMs, IReadOnlyList<SignalBucket> Buckets);
