using EquipmentTwin.Analytics.Engines;
using EquipmentTwin.Analytics.Physics;
using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Analytics.Tests.Physics;

public class PhysicsRobustnessTests
{
    private static IEnumerable<LogRecord> HealthyMri(double fromDays, double toDays, Random rng) =>
        Synthetic.Signal("he_level_pct", fromDays, toDays, 4, _ => 85, 1.0, rng)
            .Concat(Synthetic.Signal("coldhead_stage2_k", fromDays, toDays, 12, _ => 4.1, 0.03, rng))
            .Concat(Synthetic.Signal("chilled_water_supply_c", fromDays, toDays, 12, _ => 10, 0.3, rng));

    private static IEnumerable<LogRecord> ColdHeadWear(double fromDays, double toDays, Random rng) =>
        Synthetic.Signal("coldhead_stage2_k", fromDays, toDays, 12, d => 4.1 + 0.01 * d, 0.03, rng);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Flat_noisy_signals_give_no_forecast(int seed)
    {
        var device = Synthetic.Device(Modality.Mri, Synthetic.Shipped);

        Synthetic.Run(device, HealthyMri(0, 30, new Random(seed)), 30);

        Assert.Empty(device.Evidence());
    }

    [Fact]
    public void Stuck_sensor_gives_no_forecast()
    {
        var rng = new Random(61);
        var device = Synthetic.Device(Modality.Mri, Synthetic.Shipped);
        Synthetic.Run(device, ColdHeadWear(0, 40, rng), 40);
        Assert.NotNull(Synthetic.Find(device, "mri-coldhead-stage2"));

        // The reading freezes at its last value: a stuck sensor, not a healthy cold head.
        Synthetic.Run(device, Synthetic.Signal("coldhead_stage2_k", 40, 41, 12, _ => 4.5, 0, rng), 41);

        Assert.Null(Synthetic.Find(device, "mri-coldhead-stage2"));
    }

    [Fact]
    public void Sensor_stuck_from_the_start_gives_no_forecast()
    {
        var device = Synthetic.Device(Modality.Mri, Synthetic.Shipped);

        Synthetic.Run(device, Synthetic.Signal("coldhead_stage2_k", 0, 30, 12, _ => 4.2, 0, new Random(62)), 30);

        Assert.Empty(device.Evidence());
    }

    [Fact]
    public void Isolated_spikes_give_no_forecast()
    {
        var rng = new Random(63);
        var device = Synthetic.Device(Modality.Mri, Synthetic.Shipped);
        var spikes = new[] { 25.2, 27.9, 28.5, 29.7 }.Select(d => LogRecord.Param(Synthetic.Day(d) + 60_000, "coldhead_stage2_k", 9.0));
        var spikyHour = Synthetic.Signal("coldhead_stage2_k", 29.5, 29.5 + 1 / 24.0, 12, _ => 8.0, 0, rng);

        Synthetic.Run(device, HealthyMri(0, 30, rng).Concat(spikes).Concat(spikyHour), 30);

        Assert.Empty(device.Evidence());
    }

    [Fact]
    public void Dropped_channel_withdraws_the_forecast()
    {
        var rng = new Random(64);
        var device = Synthetic.Device(Modality.Mri, Synthetic.Shipped);
        Synthetic.Run(device, ColdHeadWear(0, 40, rng), 40);
        Assert.NotNull(Synthetic.Find(device, "mri-coldhead-stage2"));

        device.AdvanceTo(Synthetic.Day(42));

        Assert.Null(Synthetic.Find(device, "mri-coldhead-stage2"));
    }

    [Fact]
    public void No_data_gives_no_forecast()
    {
        var device = Synthetic.Device(Modality.Mri, Synthetic.Shipped);

        Synthetic.Run(device, Synthetic.Signal("room_temp_c", 0, 30, 1, _ => 19, 0.2, new Random(65)), 30);

        Assert.Empty(device.Evidence());
    }

    [Fact]
    public void Maintenance_on_the_component_resets_the_fit()
    {
        var rng = new Random(66);
        var device = Synthetic.Device(Modality.Mri, Synthetic.Shipped);
        Synthetic.Run(device, ColdHeadWear(0, 40, rng), 40);
        var before = Synthetic.Find(device, "mri-coldhead-stage2");
        Assert.NotNull(before);

        device.ProcessMaintenance(new MaintenanceRecord(Synthetic.Day(40), "cold_head", MaintenanceAction.Replace, "cold head replaced", null));
        Assert.Null(Synthetic.Find(device, "mri-coldhead-stage2"));

        // A new cold head holds 4.0 K: the worn head's rise before the replacement must not come back as a trend.
        Synthetic.Run(device, Synthetic.Signal("coldhead_stage2_k", 40, 50, 12, _ => 4.0, 0.03, rng), 50);
        Assert.Null(Synthetic.Find(device, "mri-coldhead-stage2"));

        // And the new head's own wear is forecast afresh, with a new since-time.
        Synthetic.Run(device, Synthetic.Signal("coldhead_stage2_k", 50, 75, 12, d => 4.0 + 0.02 * (d - 50), 0.03, rng), 75);
        var after = Synthetic.Find(device, "mri-coldhead-stage2")!;
        Assert.True(after.SinceMs > Synthetic.Day(50));
        Assert.True(after.Forecast!.Parameters["current"] < 4.6);
        Assert.InRange(after.Forecast.Parameters["phi"], 3.95, 4.1); // the new head's own baseline
    }

    [Fact]
    public void Repair_of_the_cooler_upstream_withdraws_the_helium_forecast_its_outage_caused()
    {
        var rng = new Random(69);
        var device = Synthetic.Device(Modality.Mri, Synthetic.Shipped);

        // The compressor stopped on day 20: helium falls 3 %/day until the repair on day 26, then holds.
        Synthetic.Run(device, Synthetic.Signal("he_level_pct", 0, 26, 4, d => d < 20 ? 90 : 90 - 3 * (d - 20), 0.3, rng), 26);
        Assert.NotNull(Synthetic.Find(device, "mri-helium-level"));

        device.ProcessMaintenance(new MaintenanceRecord(Synthetic.Day(26), "compressor", MaintenanceAction.Repair, "compressor repaired", null));
        Assert.Null(Synthetic.Find(device, "mri-helium-level"));

        Synthetic.Run(device, Synthetic.Signal("he_level_pct", 26, 36, 4, _ => 72, 0.3, rng), 36);
        Assert.Null(Synthetic.Find(device, "mri-helium-level"));
    }

    [Fact]
    public void Maintenance_on_another_component_leaves_the_fit_alone()
    {
        var rng = new Random(67);
        var device = Synthetic.Device(Modality.Mri, Synthetic.Shipped);
        Synthetic.Run(device, ColdHeadWear(0, 40, rng), 40);

        device.ProcessMaintenance(new MaintenanceRecord(Synthetic.Day(40), "compressor", MaintenanceAction.Service, "adsorber", null));

        Assert.NotNull(Synthetic.Find(device, "mri-coldhead-stage2"));
    }

    [Fact]
    public void Maintenance_re_establishes_the_baseline_of_a_relative_threshold()
    {
        var rng = new Random(68);
        var device = Synthetic.Device(Modality.Ct, Synthetic.Shipped);
        Synthetic.Run(device, Synthetic.Signal("filament_current_a", 0, 30, 12, d => 4.5 + 0.01 * d, 0.02, rng), 30);
        device.ProcessMaintenance(new MaintenanceRecord(Synthetic.Day(30), "cathode", MaintenanceAction.Replace, "new tube", null));

        // New tube: baseline 4.0 A, then drifting +0.2 %/day.
        Synthetic.Run(device, Synthetic.Signal("filament_current_a", 30, 70, 12, d => d < 37 ? 4.0 : 4.0 + 0.008 * (d - 37), 0.02, rng), 70);

        var f = Synthetic.Find(device, "ct-filament-drift")!.Forecast!;
        Assert.InRange(f.Parameters["baseline"], 3.99, 4.01);
        Assert.InRange(f.Threshold, 4.39, 4.41);
    }

    [Fact]
    public void Observed_crossing_is_reported_with_confidence_one_and_the_failure_when_such_crossings_failed()
    {
        Evidence Crossed(PhysicsModel model)
        {
            var device = Synthetic.Device(Modality.Mri, Synthetic.Config(Modality.Mri, model));

            // 4.6 K is crossed at day 15; the window still holds the healthy side.
            Synthetic.Run(device, Synthetic.Signal("coldhead_stage2_k", 0, 25, 12, d => 4.3 + 0.02 * d, 0.03, new Random(69)), 25);
            return Synthetic.Find(device, "mri-coldhead-stage2")!;
        }

        var model = Synthetic.Model("mri-coldhead-stage2", Modality.Mri) with { AfterCrossingDays = null };
        var now = Crossed(model);
        Assert.Equal(1.0, now.Confidence);
        Assert.Equal(Severity.Critical, now.Severity);
        Assert.Equal(now.Forecast!.ComputedAtMs, now.Forecast.P50Ms);
        Assert.Contains("crossed (observed); R²", now.Summary);

        // With an after-crossing table the quantiles are days after now; alerting is unchanged.
        var after = Crossed(model with { AfterCrossingDays = new BandQuantiles(-0.5, 0.2, 1, 2, 3, 4, 5) });
        var f = after.Forecast!;
        Assert.Equal((1.0, Severity.Critical), (after.Confidence, after.Severity));
        Assert.Equal([0, 0.2, 1, 2, 3, 4, 5], new[] { f.P05Ms!.Value, f.P10Ms, f.P25Ms!.Value, f.P50Ms, f.P75Ms!.Value, f.P90Ms, f.P95Ms!.Value }.Select(ms => Math.Round(Synthetic.DaysAhead(f, ms), 3)));
        Assert.Equal(0, Synthetic.FitP50(f));
        Assert.Contains("crossed (observed), failure in 2.0 d (P10 0.2 d – P90 4.0 d) after such crossings", after.Summary);
    }

    [Fact]
    public void Evidence_that_has_lasted_publishes_the_table_for_its_age()
    {
        var model = Synthetic.Model("mri-coldhead-stage2", Modality.Mri) with
        {
            AfterCrossingDays = null,
            BandQuantiles = new BandQuantiles(-3, -2.5, -2, 0, 2, 2.5, 3),
            LaterBandQuantiles = [new AgedBandQuantiles(4, new BandQuantiles(-1.5, -1.2, -1, 0, 1, 1.2, 1.5))],
        };
        var device = Synthetic.Device(Modality.Mri, Synthetic.Config(Modality.Mri, model));
        double HalfWidth50(Forecast f) => Math.Log(Synthetic.DaysAhead(f, f.P75Ms!.Value) / Synthetic.DaysAhead(f, f.P50Ms));

        // 4.6 K is crossed on day 30; evidence opens once the trend is significant and its P50 within the model's horizon.
        var signal = Synthetic.Signal("coldhead_stage2_k", 0, 40, 12, d => 4.3 + 0.01 * d, 0.01, new Random(73)).ToList();
        IEnumerable<LogRecord> Days(int from, int to) => signal.Where(r => r.TimestampMs >= Synthetic.Day(from) && r.TimestampMs < Synthetic.Day(to));
        var day = 0;
        Evidence? opened = null;
        while (opened is null && day < 20)
        {
            Synthetic.Run(device, Days(day, day + 1), ++day);
            opened = Synthetic.Find(device, "mri-coldhead-stage2");
        }

        Assert.NotNull(opened);
        Assert.Equal(2.0, HalfWidth50(opened.Forecast!), 2);
        Assert.Equal((opened.Forecast!.ComputedAtMs - opened.SinceMs) / (double)Synthetic.DayMs, opened.Forecast.Parameters["evidence_age_days"], 3);

        Synthetic.Run(device, Days(day, day + 6), day + 6);
        var later = Synthetic.Find(device, "mri-coldhead-stage2")!;
        Assert.Equal(opened.SinceMs, later.SinceMs);
        Assert.True(later.Forecast!.ComputedAtMs - later.SinceMs >= 4 * Synthetic.DayMs, "evidence 4 days old");
        Assert.True(later.Forecast.Parameters["evidence_age_days"] >= 4);
        Assert.Equal(1.0, HalfWidth50(later.Forecast), 2);
    }

    [Fact]
    public void A_published_band_reports_the_fits_own_spread_and_is_never_narrower_than_it()
    {
        var device = Synthetic.Device(Modality.Mri, Synthetic.Shipped);
        Synthetic.Run(device, ColdHeadWear(0, 40, new Random(71)), 40);

        var f = Synthetic.Find(device, "mri-coldhead-stage2")!.Forecast!;
        var fitP50 = Synthetic.FitP50(f);
        var sd = f.Parameters["fit_log_sd"];
        Assert.True(sd > 0, $"fit log-spread {sd}");
        // ln P90 − ln P10 of the published band spans at least the fit's own ±z₀.₉·s.
        var width = Math.Log(Synthetic.DaysAhead(f, f.P90Ms) / Synthetic.DaysAhead(f, f.P10Ms));
        Assert.True(width >= 2 * 1.2816 * sd - 1e-6, $"published width {width:0.000} narrower than the fit's {2 * 1.2816 * sd:0.000}");
        Assert.True(fitP50 > 0);
    }

    [Fact]
    public void Engine_is_deterministic()
    {
        string Run()
        {
            var device = Synthetic.Device(Modality.Mri, Synthetic.Shipped);
            Synthetic.Run(device, ColdHeadWear(0, 40, new Random(70)), 40);
            var e = Synthetic.Find(device, "mri-coldhead-stage2")!;
            return $"{e.Summary}|{e.Forecast!.P10Ms}|{e.Forecast.P90Ms}|{e.Confidence}";
        }

        Assert.Equal(Run(), Run());
    }
}
