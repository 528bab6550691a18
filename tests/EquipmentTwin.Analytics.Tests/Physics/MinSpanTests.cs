using EquipmentTwin.Analytics.Physics;
using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Analytics.Tests.Physics;

/// <summary>A detector that follows the room's daily swing gives no trend forecast before two daily cycles of data.</summary>
public class MinSpanTests
{
    // A regulated CT detector at 36 °C that follows the room (0.05 °C per °C): on the first day the room cools by
    // 1.6 °C and the detector by 0.08 °C, on the second it warms back (the validation false alarms: "falling 0.077 °C/day,
    // 35 °C in 13.9 d, R² 0.56 on 25 hourly points", opened on the first day of data). Minute noise 0.06 °C.
    private static IEnumerable<LogRecord> Detector(double toDays, int seed) =>
        Synthetic.Signal("detector_temp_c", 0, toDays, 60, d => 36.0 - 0.08 * (d < 1 ? d : 2 - d), 0.06, new Random(seed));

    /// <summary>Days (checked every 3 h) at which either detector model gave evidence in the first two days of data.</summary>
    private static List<double> SpokeOn(PhysicsConfig config, int seed)
    {
        var device = Synthetic.Device(Modality.Ct, config);
        var records = Detector(2, seed).ToList();
        var spoke = new List<double>();
        var from = long.MinValue;
        for (var day = 0.875; day < 2; day += 0.125)
        {
            var to = Synthetic.Day(day);
            device.Process(records.Where(r => r.TimestampMs >= from && r.TimestampMs < to).ToList());
            from = to;
            device.AdvanceTo(to);
            if (device.Evidence().Any(e => e.Component == "detector"))
            {
                spoke.Add(day);
            }
        }

        return spoke;
    }

    [Fact]
    public void Detector_models_wait_two_days_of_data_that_without_the_wait_read_the_daily_swing_as_a_trend()
    {
        var shipped = new[] { Synthetic.Model("ct-detector-temp-high", Modality.Ct), Synthetic.Model("ct-detector-temp-low", Modality.Ct) };
        Assert.All(shipped, m => Assert.Equal(2, m.MinSpanDays));
        var eager = Synthetic.Config(Modality.Ct, shipped.Select(m => m with { MinSpanDays = 0 }).ToArray());

        var misread = Enumerable.Range(1, 5).Count(seed => SpokeOn(eager, seed).Count > 0);
        var spoke = Enumerable.Range(1, 5).SelectMany(seed => SpokeOn(Synthetic.Config(Modality.Ct, shipped), seed)).ToList();

        Assert.True(misread >= 3, $"without the wait {misread}/5 healthy detectors were forecast to leave 35-37 °C within 14 days");
        Assert.Empty(spoke);
    }
}
