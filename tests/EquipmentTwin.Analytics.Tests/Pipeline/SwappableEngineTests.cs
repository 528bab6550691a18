using EquipmentTwin.Analytics.Engines;
using EquipmentTwin.Analytics.History;
using EquipmentTwin.Analytics.Pipeline;
using EquipmentTwin.Core.Catalog;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Testing;

namespace EquipmentTwin.Analytics.Tests.Pipeline;

public sealed class SwappableEngineTests
{
    private static readonly SignalCatalog Catalog = SignalCatalog.LoadDirectory(RepoPaths.Catalog);
    private static readonly long T0 = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
    private const long Hour = 3_600_000;

    /// <summary>An anomaly engine stand-in whose evidence names its version and counts the hours each device saw.</summary>
    private sealed class Versioned(int version) : IAnalyticsEngine
    {
        public EngineKind Kind => EngineKind.Anomaly;

        public IDeviceEngine CreateDevice(DeviceContext context) => new Device(version, context);

        public sealed class Device(int version, DeviceContext context) : IDeviceEngine
        {
            public int Hours { get; private set; }

            public IReadOnlyList<Evidence> Evidence =>
                [new(EngineKind.Anomaly, $"v{version}", "cold_head", T0, T0, 0.5, Severity.Warning, $"{context.DeviceId} v{version} after {Hours} h", [])];

            public void OnBucket(string signal, in SeriesPoint bucket, DeviceHistory history)
            {
            }

            public void OnEvent(in LogRecord record, DeviceHistory history)
            {
            }

            public void OnMaintenance(MaintenanceRecord record, DeviceHistory history)
            {
            }

            public void OnHour(long hourEndMs, DeviceHistory history) => Hours++;
        }
    }

    private static void Feed(AnalyticsPipeline pipeline, long fromHour, long toHour)
    {
        for (var h = fromHour; h < toHour; h++)
        {
            pipeline.Process("mri-1", "s", Modality.Mri, [LogRecord.Param(T0 + h * Hour, "he_level_pct", 80)]);
            pipeline.Process("ct-1", "s", Modality.Ct, [LogRecord.Param(T0 + h * Hour, "kv_actual_kv", 120)]);
        }
    }

    private static string Said(AnalyticsPipeline pipeline, string device) => pipeline.Find(device)!.Evidence().Single().Summary;

    [Fact]
    public void A_swap_changes_only_the_devices_it_concerns_and_keeps_the_others_state()
    {
        var slot = new SwappableEngine(new Versioned(1));
        var pipeline = new AnalyticsPipeline([slot], Catalog);
        Feed(pipeline, 0, 10);
        Assert.Equal("mri-1 v1 after 9 h", Said(pipeline, "mri-1"));

        slot.Swap(new Versioned(2), d => d.Modality == Modality.Mri);
        Feed(pipeline, 10, 13);

        Assert.Equal("mri-1 v2 after 3 h", Said(pipeline, "mri-1"));
        Assert.Equal("ct-1 v1 after 12 h", Said(pipeline, "ct-1"));
        Assert.Equal(T0 + 12 * Hour, pipeline.Find("mri-1")!.History.NowMs);
    }

    [Fact]
    public void During_warm_up_the_old_model_keeps_speaking_and_the_new_one_learns_beside_it()
    {
        var slot = new SwappableEngine(new Versioned(1), warmupMs: 5 * Hour);
        var pipeline = new AnalyticsPipeline([slot], Catalog);
        Feed(pipeline, 0, 10);

        slot.Swap(new Versioned(2));
        Feed(pipeline, 10, 14);
        Assert.Equal("mri-1 v1 after 13 h", Said(pipeline, "mri-1"));

        Feed(pipeline, 14, 17);
        Assert.StartsWith("mri-1 v2 after", Said(pipeline, "mri-1"));
        Assert.Throws<ArgumentException>(() => slot.Swap(new RuleLikeEngine()));
    }

    private sealed class RuleLikeEngine : IAnalyticsEngine
    {
        public EngineKind Kind => EngineKind.Rules;

        public IDeviceEngine CreateDevice(DeviceContext context) => throw new InvalidOperationException("never built");
    }
}
