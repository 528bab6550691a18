using EquipmentTwin.Analytics.Physics;
using EquipmentTwin.Core.WireFormat;
using Xunit.Abstractions;

namespace EquipmentTwin.Analytics.Tests.Physics;

/// <summary>Models that wait <c>minSpanDays</c>: no trend forecast from too short a span of healthy data.</summary>
public class MinSpanTests(ITestOutputHelper output)
{
    // A regulated CT detector at 36 °C that follows the room (0.05 °C per °C): on the first day the room cools by
    // 1.6 °C and the detector by 0.08 °C, on the second it warms back (the validation false alarms: "falling 0.077 °C/day,
    // 35 °C in 13.9 d, R² 0.56 on 25 hourly points", opened on the first day of data). Minute noise 0.06 °C.
    private static IEnumerable<LogRecord> Detector(double toDays, int seed) =>
        Synthetic.Signal("detector_temp_c", 0, toDays, 60, d => 36.0 - 0.08 * (d < 1 ? d : 2 - d), 0.06, new Random(seed));

    /// <summary>Days (checked every <paramref name="stepDays"/> from <paramref name="fromDay"/>) at which a <paramref name="component"/> model gave evidence.</summary>
    private static List<double> SpokeOn(PhysicsConfig config, IReadOnlyList<LogRecord> records, string component, double fromDay, double toDay, double stepDays)
    {
        var device = Synthetic.Device(Modality.Ct, config);
        var spoke = new List<double>();
        var from = long.MinValue;
        for (var day = fromDay; day < toDay; day += stepDays)
        {
            var to = Synthetic.Day(day);
            device.Process(records.Where(r => r.TimestampMs >= from && r.TimestampMs < to).ToList());
            from = to;
            device.AdvanceTo(to);
            if (device.Evidence().Any(e => e.Component == component))
            {
                spoke.Add(day);
            }
        }

        return spoke;
    }

    /// <summary>Days (checked every 3 h) at which either detector model gave evidence in the first two days of data.</summary>
    private static List<double> SpokeOn(PhysicsConfig config, int seed) => SpokeOn(config, Detector(2, seed).ToList(), "detector", 0.875, 2, 0.125);

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

    private const double Amps = 4.5;

    // A healthy CT filament: the current is set for each exam's mA (+0.05 % per mA above 300), exams run 08:00–18:00,
    // six an hour, their mA spread evenly over 100–500 (as the simulator's). No wear at all: any trend is chance.
    private static IEnumerable<LogRecord> Filament(double toDays, int seed)
    {
        var rng = new Random(seed);
        return Synthetic.Signal("filament_current_a", 0, toDays, 6, _ => Amps, 0, rng)
            .Where(r => (r.TimestampMs - Synthetic.T0) % Synthetic.DayMs is var ms && ms >= 8 * 3_600_000 && ms < 18 * 3_600_000)
            .Select(r => LogRecord.Param(r.TimestampMs, "filament_current_a", r.Value * (1 + 0.0005 * (100 + 400 * rng.NextDouble() - 300))));
    }

    [Fact]
    public void Filament_models_wait_two_weeks_of_data_that_without_the_wait_read_noise_as_wear()
    {
        const int seeds = 150;
        var shipped = Synthetic.Model("ct-filament-drift", Modality.Ct);
        Assert.Equal(14, shipped.MinSpanDays);
        Assert.Equal(14, Synthetic.Model("xr-filament-drift", Modality.Xray).MinSpanDays);
        var eager = Synthetic.Config(Modality.Ct, shipped with { MinSpanDays = 0 });

        List<double> FirstDays(PhysicsConfig config) => Enumerable.Range(1, seeds)
            .Select(seed => SpokeOn(config, Filament(35, seed).ToList(), "cathode", 7, 35, 0.25)).Where(s => s.Count > 0).Select(s => s[0]).ToList();

        var misread = FirstDays(eager);
        var spoke = FirstDays(Synthetic.Config(Modality.Ct, shipped));
        output.WriteLine($"without the wait {misread.Count}/{seeds} healthy filaments spoke within 35 days, first on days {string.Join(", ", misread)}");
        output.WriteLine($"with the wait {spoke.Count}/{seeds}, first on days {string.Join(", ", spoke)}");

        Assert.True(misread.Count >= 3, $"without the wait only {misread.Count}/{seeds} healthy filaments were forecast to wear out");
        Assert.Empty(spoke);
    }
}
