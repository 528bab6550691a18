using EquipmentTwin.Analytics.Anomaly;
using EquipmentTwin.Analytics.Engines;
using EquipmentTwin.Analytics.History;
using EquipmentTwin.Analytics.Pipeline;
using EquipmentTwin.Core.Catalog;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Testing;

namespace EquipmentTwin.Analytics.Tests.Anomaly;

/// <summary>Six healthy synthetic MRIs for 40 days, their feature rows, and the model trained on them (once per test class).</summary>
public sealed class AnomalyFleetFixture
{
    public const int Days = 40;
    public static readonly long T0 = new DateTimeOffset(2026, 1, 5, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
    public static readonly ModalityCatalog Mri = SignalCatalog.LoadDirectory(RepoPaths.Catalog)[Modality.Mri];

    public AnomalyFleetFixture()
    {
        var collector = new AnomalyFeatureCollector();
        for (var seed = 1; seed <= 6; seed++)
        {
            Run($"train{seed:00}", new SyntheticMri(seed, Days), collector);
        }

        Rows = collector.RowsFor(Modality.Mri);
        FeatureNames = collector.FeatureNames(Modality.Mri);
        Model = AnomalyTrainer.Train(Modality.Mri, Rows, FeatureNames, new AnomalyTrainingOptions());
    }

    public IReadOnlyList<AnomalyFeatureRow> Rows { get; }
    public string[] FeatureNames { get; }
    public AnomalyModel Model { get; }

    /// <summary>Runs one device through the event-time driver, keeping what the engines said after every hour.</summary>
    public static DeviceRun Run(string deviceId, SyntheticMri device, IAnalyticsEngine engine, MaintenanceRecord? maintenance = null, ModalityCatalog? catalog = null)
    {
        var analytics = new DeviceAnalytics(new DeviceContext(deviceId, "site", Modality.Mri, catalog ?? Mri), [engine]);
        // The engine's history keeps only what it reads; a bare one beside it keeps every window, to be looked at.
        var kept = new DeviceAnalytics(new DeviceContext(deviceId, "site", Modality.Mri, catalog ?? Mri), []);
        var run = new DeviceRun(analytics, kept.History);
        analytics.HourClosed += (a, hourEnd) =>
        {
            foreach (var e in a.Evidence())
            {
                run.Evidence.Add((hourEnd, e));
            }

            foreach (var q in a.DataQuality())
            {
                run.Issues.Add((hourEnd, q));
            }
        };
        foreach (var record in device.Records(T0))
        {
            if (maintenance is not null && record.TimestampMs >= maintenance.TimestampMs)
            {
                analytics.ProcessMaintenance(maintenance);
                maintenance = null;
            }

            analytics.Process(record);
            kept.Process(record);
        }

        analytics.AdvanceTo(T0 + Days * AnomalyFeatures.DayMs);
        return run;
    }

    public static double Day(long ms) => (ms - T0) / (double)AnomalyFeatures.DayMs;
}

public sealed class DeviceRun(DeviceAnalytics analytics, DeviceHistory fullHistory)
{
    public DeviceAnalytics Analytics { get; } = analytics;

    /// <summary>The device's history with every window kept (the engine's keeps only what it reads).</summary>
    public DeviceHistory FullHistory { get; } = fullHistory;
    public List<(long HourEnd, Evidence Evidence)> Evidence { get; } = new();
    public List<(long HourEnd, DataQualityIssue Issue)> Issues { get; } = new();
}

[CollectionDefinition(Name)]
public sealed class AnomalyFleetCollection : ICollectionFixture<AnomalyFleetFixture>
{
    public const string Name = "anomaly fleet";
}
