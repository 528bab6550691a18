using System.Diagnostics;
using EquipmentTwin.Analytics.Pipeline;
using EquipmentTwin.Core.Catalog;
using EquipmentTwin.Core.WireFormat;
using Xunit.Abstractions;

namespace EquipmentTwin.Analytics.Tests.Physics;

public class MriYearTests(ITestOutputHelper output)
{
    private const double CoolerStopDay = 300;
    private const double EndDay = 365;

    private static List<LogRecord> Year()
    {
        var rng = new Random(81);
        return Synthetic.Signal("he_level_pct", 0, EndDay, 4, d => d < CoolerStopDay ? 85 : Math.Max(20, 85 - 3 * (d - CoolerStopDay)), 1.0, rng)
            .Concat(Synthetic.Signal("coldhead_stage2_k", 0, EndDay, 12, _ => 4.1, 0.03, rng))
            .Concat(Synthetic.Signal("chilled_water_supply_c", 0, EndDay, 12, d => 10 + 1.5 * Math.Sin(2 * Math.PI * d), 0.3, rng))
            .Concat(Synthetic.Events("MR-GRD-501", 0, (int)EndDay, _ => 0.3, rng))
            .OrderBy(r => r.TimestampMs)
            .ToList();
    }

    [Fact]
    public void Mri_year_forecasts_the_cooler_stop_and_nothing_before_it()
    {
        var records = Year();
        var device = Synthetic.Device(Modality.Mri, Synthetic.Shipped);
        long? firstEvidenceMs = null;
        string? firstSource = null;
        device.HourClosed += (d, hourEnd) =>
        {
            if (firstEvidenceMs is null && d.Evidence().FirstOrDefault() is { } e)
            {
                firstEvidenceMs = hourEnd;
                firstSource = e.Source;
            }
        };

        var watch = Stopwatch.StartNew();
        device.Process(records);
        device.AdvanceTo(Synthetic.Day(EndDay));
        watch.Stop();

        // Again on a fresh device, now that the code is jitted: the steady-state cost.
        var again = Synthetic.Device(Modality.Mri, Synthetic.Shipped);
        var warmWatch = Stopwatch.StartNew();
        again.Process(records);
        again.AdvanceTo(Synthetic.Day(EndDay));
        warmWatch.Stop();

        var bare = new DeviceAnalytics(new Engines.DeviceContext("dev01", "site", Modality.Mri, Synthetic.Catalog[Modality.Mri]), []);
        var bareWatch = Stopwatch.StartNew();
        bare.Process(records);
        bare.AdvanceTo(Synthetic.Day(EndDay));
        bareWatch.Stop();
        output.WriteLine($"MRI year: {records.Count} records, 8760 hour ticks: {watch.ElapsedMilliseconds} ms with the physics engine (first run, {warmWatch.ElapsedMilliseconds} ms warm), {bareWatch.ElapsedMilliseconds} ms without (engine share {watch.ElapsedMilliseconds - bareWatch.ElapsedMilliseconds} ms)");

        Assert.Equal("mri-helium-level", firstSource);
        Assert.InRange(firstEvidenceMs!.Value, Synthetic.Day(CoolerStopDay), Synthetic.Day(CoolerStopDay + 3));
    }
}
