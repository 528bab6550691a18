using EquipmentTwin.Analytics.Engines;
using EquipmentTwin.Analytics.History;
using EquipmentTwin.Analytics.Pipeline;
using EquipmentTwin.Core.Catalog;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Testing;

namespace EquipmentTwin.Analytics.Tests;

public class DeviceAnalyticsTests
{
    private static readonly ModalityCatalog Mri = SignalCatalog.LoadDirectory(RepoPaths.Catalog)[Modality.Mri];
    private static readonly long T0 = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    private sealed class Recorder : IAnalyticsEngine, IDeviceEngine
    {
        public List<(string Signal, SeriesPoint Bucket)> Buckets { get; } = new();
        public List<long> Hours { get; } = new();
        public List<string> Events { get; } = new();
        public List<MaintenanceRecord> Maintenance { get; } = new();
        public EngineKind Kind => EngineKind.Rules;
        public IReadOnlyList<Evidence> Evidence => [];
        public IDeviceEngine CreateDevice(DeviceContext context) => this;
        public void OnBucket(string signal, in SeriesPoint bucket, DeviceHistory history) => Buckets.Add((signal, bucket));
        public void OnEvent(in LogRecord record, DeviceHistory history) => Events.Add(record.Code!);
        public void OnMaintenance(MaintenanceRecord record, DeviceHistory history) => Maintenance.Add(record);
        public void OnHour(long hourEndMs, DeviceHistory history) => Hours.Add(hourEndMs);
    }

    [Fact]
    public void Buckets_and_hours_close_in_event_time_with_exact_aggregates()
    {
        var recorder = new Recorder();
        var device = new DeviceAnalytics(new DeviceContext("mri01", "s", Modality.Mri, Mri), [recorder]);

        // One reading a minute for two hours: value = minute index.
        device.Process(Enumerable.Range(0, 120).Select(m => LogRecord.Param(T0 + m * 60_000L, "he_level_pct", m)).ToList());
        device.AdvanceTo(T0 + 2 * 3_600_000);

        Assert.Equal([T0 + 3_600_000, T0 + 2 * 3_600_000], recorder.Hours);
        Assert.Equal(24, recorder.Buckets.Count);
        var first = recorder.Buckets[0].Bucket;
        Assert.Equal((T0, 2.0, 0.0, 4.0, 4.0, 5), (first.StartMs, first.Mean, first.Min, first.Max, first.Last, first.Count));
        var hourly = device.History.Hourly("he_level_pct")!.Since(T0);
        Assert.Equal([29.5, 89.5], hourly.Select(p => p.Mean));
    }

    [Fact]
    public void Older_record_than_the_open_bucket_is_counted_late_and_not_aggregated()
    {
        var recorder = new Recorder();
        var device = new DeviceAnalytics(new DeviceContext("mri01", "s", Modality.Mri, Mri), [recorder]);

        device.Process([LogRecord.Param(T0 + 600_000, "he_level_pct", 80), LogRecord.Param(T0, "he_level_pct", 10)]);

        Assert.Equal(1, device.History.LateRecords);
    }

    [Fact]
    public void Events_and_maintenance_reach_the_engines_and_the_history()
    {
        var recorder = new Recorder();
        var device = new DeviceAnalytics(new DeviceContext("mri01", "s", Modality.Mri, Mri), [recorder]);

        device.Process([LogRecord.Event(T0, "MR-GRD-501", Severity.Error, null), LogRecord.Event(T0 + 1000, "MR-GRD-501", Severity.Error, null)]);
        device.ProcessMaintenance(new MaintenanceRecord(T0 + 2000, "gradient_amp", MaintenanceAction.Repair, "IGBT replaced", null));

        Assert.Equal(["MR-GRD-501", "MR-GRD-501"], recorder.Events);
        Assert.Equal(2, device.History.Events.Count("MR-GRD-501", T0, T0 + 1000));
        Assert.Equal(T0 + 2000, device.History.LastMaintenanceMs("gradient_amp"));
        Assert.Single(recorder.Maintenance);
    }

    [Fact]
    public void Hourly_series_is_bounded_to_sixty_days()
    {
        var device = new DeviceAnalytics(new DeviceContext("mri01", "s", Modality.Mri, Mri), []);

        device.Process(Enumerable.Range(0, 90 * 24).Select(h => LogRecord.Param(T0 + h * 3_600_000L, "he_level_pct", h)).ToList());
        device.AdvanceTo(T0 + 90L * 24 * 3_600_000);

        var hourly = device.History.Hourly("he_level_pct")!.Since(0);
        Assert.Equal(DeviceHistory.HourCapacity, hourly.Count);
        Assert.Equal(90 * 24 - 1, hourly[^1].Mean);
    }
}
