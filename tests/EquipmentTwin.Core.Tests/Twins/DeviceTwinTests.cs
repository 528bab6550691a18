using EquipmentTwin.Core.Catalog;
using EquipmentTwin.Core.Twins;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Testing;

namespace EquipmentTwin.Core.Tests.Twins;

public class DeviceTwinTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);
    private static readonly ModalityCatalog Mri = SignalCatalog.LoadDirectory(RepoPaths.Catalog)[Modality.Mri];

    [Fact]
    public void Late_older_reading_does_not_overwrite_a_newer_one()
    {
        var twin = new DeviceTwin("mri01", "site1");
        twin.ApplyRecords([LogRecord.Param(2000, "he_level_pct", 80)], Mri, Now);
        twin.ApplyRecords([LogRecord.Param(1000, "he_level_pct", 90)], Mri, Now);

        Assert.Equal(new SignalReading(2000, 80), twin.Latest["he_level_pct"]);
        Assert.Equal(2000, twin.LastEventTimeMs);
        Assert.Equal(2, twin.RecordCount);
    }

    [Fact]
    public void Names_missing_from_the_catalog_are_kept_and_flagged()
    {
        var twin = new DeviceTwin("mri01", "site1");
        twin.ApplyRecords([LogRecord.Param(1, "he_level_pct", 80), LogRecord.Param(1, "mystery_value", 3)], Mri, Now);

        Assert.Equal(3, twin.Latest["mystery_value"].Value);
        Assert.Equal(["mystery_value"], twin.UnknownSignals);
    }

    [Fact]
    public void Status_wins_over_silence_and_silence_means_offline_without_status()
    {
        var twin = new DeviceTwin("mri01", "site1");
        twin.ApplyRecords([LogRecord.Param(1, "he_level_pct", 80)], Mri, Now);
        Assert.True(twin.IsOnline(Now.AddMinutes(5), TimeSpan.FromMinutes(10)));
        Assert.False(twin.IsOnline(Now.AddMinutes(11), TimeSpan.FromMinutes(10)));

        twin.ApplyStatus(new DeviceStatus(false, null), Now);
        Assert.False(twin.IsOnline(Now, TimeSpan.FromMinutes(10)));
        twin.ApplyStatus(new DeviceStatus(true, null), Now);
        Assert.True(twin.IsOnline(Now.AddDays(1), TimeSpan.FromMinutes(10)));
    }

    [Fact]
    public void Last_event_follows_event_time()
    {
        var twin = new DeviceTwin("mri01", "site1");
        twin.ApplyRecords([LogRecord.Event(500, "MR-HE-201", Severity.Warning, "late"), LogRecord.Event(100, "MR-SYS-001", Severity.Info, null)], Mri, Now);

        Assert.Equal("MR-HE-201", twin.LastEvent!.Code);
        Assert.Equal(2, twin.EventCount);
    }
}
