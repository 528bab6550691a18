using EquipmentTwin.Analytics.Anomaly;
using EquipmentTwin.Analytics.Engines;
using EquipmentTwin.Analytics.History;
using EquipmentTwin.Core.Catalog;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Testing;

namespace EquipmentTwin.Analytics.Tests.Anomaly;

/// <summary>Signals sent only while scanning fall silent between scans: that is idling, not a lost channel.</summary>
public class DuringUseDropoutTests
{
    private const long Minute = 60_000;
    private const long Hour = DeviceHistory.HourMs;

    private static readonly ModalityCatalog Ct = SignalCatalog.LoadDirectory(RepoPaths.Catalog)[Modality.Ct];

    [Fact]
    public void Catalog_marks_scan_time_signals()
    {
        Assert.True(Ct.Signals["kv_actual_kv"].DuringUseOnly);
        Assert.True(Ct.Signals["ma_actual_ma"].DuringUseOnly);
        Assert.False(Ct.Signals["cooling_pump_current_a"].DuringUseOnly);
    }

    [Fact]
    public void Scan_time_signal_silent_overnight_is_masked_but_not_reported_and_silent_while_scanning_is_a_dropout()
    {
        var history = new DeviceHistory(new DeviceContext("ct-1", "a", Modality.Ct, Ct));
        var monitor = new DataQualityMonitor(AnomalyFeatures.For(Ct));
        var closed = new List<(string, SeriesPoint)>();
        var reported = new List<DataQualityIssue>();

        // Three days: the pump reports every minute; scans (kV and mA every 5 minutes) from 08:00 to 18:00 only;
        // on day 3 the kV channel is lost while mA keeps arriving.
        for (var t = 0L; t < 3 * 24 * Hour; t += Minute)
        {
            history.Advance(t);
            Add(history, "cooling_pump_current_a", t, 1.1, closed);
            var hour = t % (24 * Hour) / Hour;
            if (hour is >= 8 and < 18 && t % (5 * Minute) == 0)
            {
                Add(history, "ma_actual_ma", t, 300, closed);
                if (t < 2 * 24 * Hour)
                {
                    Add(history, "kv_actual_kv", t, 120, closed);
                }
            }

            if ((t + Minute) % Hour == 0)
            {
                history.CloseBucketsBefore(t + Minute, closed);
                monitor.OnHour(t + Minute, history);
                reported.AddRange(monitor.Issues.Where(i => i.Kind == DataQualityKind.Dropout));
                if (t + Minute == 24 * Hour + 4 * Hour)
                {
                    // 04:00 on day 2: both scan-time signals silent since 18:00 – masked, but no issue.
                    Assert.Empty(monitor.Issues);
                    var kv = AnomalyFeatures.For(Ct).Signals.Select((s, i) => (s.Name, i)).Single(x => x.Name == "kv_actual_kv").i;
                    Assert.True(monitor.Masked[kv]);
                }
            }
        }

        Assert.All(reported, i => Assert.Equal("kv_actual_kv", i.Signal));
        Assert.NotEmpty(reported);
        Assert.True(reported.Min(i => i.UpdatedMs) >= 2 * 24 * Hour + 8 * Hour, "reported only once scanning resumed without it");
    }

    private static void Add(DeviceHistory history, string signal, long t, double value, List<(string, SeriesPoint)> closed) =>
        history.AddParam(LogRecord.Param(t, signal, value), out _);
}
