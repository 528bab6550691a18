using EquipmentTwin.Analytics.Physics;
using EquipmentTwin.Analytics.Engines;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Testing;

namespace EquipmentTwin.Analytics.Tests.Physics;

public class DamageClockTests
{
    private static readonly ArrheniusClock Clock = new("battery_cell_temp_c", 0.6, 25);

    [Fact]
    public void The_factor_is_one_at_the_reference_and_follows_arrhenius()
    {
        Assert.Equal(1, Clock.Factor(25), 12);

        // exp[(0.6 / 8.617e-5)(1/298.15 − 1/308.15)] = 2.134
        Assert.Equal(2.134, Clock.Factor(35), 3);
        Assert.True(Clock.Factor(15) < 1);
    }

    // A battery that fades 0.5 %/day of reference-temperature time from day 40, its cell warming 0.3 °C/day as it wears
    // (25 °C before). At day 65 the fade runs 1.8 times as fast as at the onset.
    private const double Onset = 40, Fade = 0.5, Warming = 0.3, Now = 65;

    private static double CellC(double d) => d < Onset ? 25 : 25 + Warming * (d - Onset);

    /// <summary>Reference-temperature days from the onset to day <paramref name="d"/> (midpoint rule on 0.001-day steps).</summary>
    private static double ClockDays(double d)
    {
        var sum = 0.0;
        const double step = 0.001;
        for (var s = Onset; s < d; s += step)
        {
            sum += Clock.Factor(CellC(Math.Min(s + step / 2, d))) * Math.Min(step, d - s);
        }

        return sum;
    }

    private static double Soh(double d) => d < Onset ? 100 : 100 - Fade * ClockDays(d);

    /// <summary>The day the state of health reaches 80 %.</summary>
    private static double FailureDay()
    {
        double lo = Now, hi = Now + 60;
        while (hi - lo > 1e-4)
        {
            var mid = 0.5 * (lo + hi);
            (Soh(mid) > 80 ? ref lo : ref hi) = mid;
        }

        return lo;
    }

    private static (Forecast Forecast, string Summary) Battery(PhysicsModel model, Func<double, double> cellC, bool withTemperature = true, double cellNoise = 0.1)
    {
        var rng = new Random(71);
        var device = Synthetic.Device(Modality.Xray, Synthetic.Config(Modality.Xray, model));
        var soh = Synthetic.Signal("battery_soh_pct", 0, Now, 2, Soh, 0.05, rng);
        var records = withTemperature ? soh.Concat(Synthetic.Signal("battery_cell_temp_c", 0, Now, 2, cellC, cellNoise, rng)) : soh;
        Synthetic.Run(device, records, Now);
        var e = Synthetic.Find(device, model.Id)!;
        return (e.Forecast!, e.Summary);
    }

    private static PhysicsModel BatteryModel(ArrheniusClock? clock) => Synthetic.Model("xr-battery-soh", Modality.Xray) with { Clock = clock };

    [Fact]
    public void A_battery_that_warms_as_it_fades_is_forecast_on_its_damage_clock()
    {
        var (clocked, summary) = Battery(BatteryModel(Clock), CellC);
        var (calendar, _) = Battery(BatteryModel(null), CellC);
        var truth = FailureDay() - (clocked.ComputedAtMs - Synthetic.T0) / (double)Synthetic.DayMs;
        Assert.Equal(clocked.ComputedAtMs, calendar.ComputedAtMs);

        // The clock reads the last day's rate and assumes that temperature holds: a little late, as the cell keeps
        // warming. The calendar line reads the average rate since the onset: half as late again.
        var onClock = Synthetic.FitP50(clocked);
        var onCalendar = Synthetic.FitP50(calendar);
        Assert.True(onClock >= truth && onClock <= truth * 1.08, $"clock {onClock:0.00} d, calendar {onCalendar:0.00} d, truth {truth:0.00} d");
        Assert.True(onCalendar > truth * 1.4, $"calendar {onCalendar:0.00} d vs truth {truth:0.00} d");
        Assert.InRange(clocked.Parameters["clock_temp_c"], 31.5, 32.5);
        Assert.InRange(clocked.Parameters["tau_days"], -26, -24);
        Assert.Contains("°C (wear ×", summary);
        Assert.Contains("(onset)", summary);
    }

    [Fact]
    public void At_a_steady_temperature_the_clock_changes_nothing_but_the_units()
    {
        // A cell at a steady 35 °C: clock days are calendar days times 2.13, so the line, the onset and the crossing in
        // calendar days are those of the calendar fit.
        var (clocked, _) = Battery(BatteryModel(Clock), _ => 35, cellNoise: 0);
        var (calendar, _) = Battery(BatteryModel(null), _ => 35, cellNoise: 0);

        Assert.Equal(Synthetic.FitP50(calendar), Synthetic.FitP50(clocked), 3);
        Assert.Equal(calendar.Parameters["tau_days"], clocked.Parameters["tau_days"], 3);
        Assert.Equal(calendar.Parameters["slope_per_day"], clocked.Parameters["slope_per_day"], 6);
        Assert.InRange(clocked.Parameters["clock_rate"], 2.12, 2.15);
    }

    [Fact]
    public void Without_a_temperature_reading_the_calendar_is_the_clock()
    {
        var (clocked, summary) = Battery(BatteryModel(Clock), CellC, withTemperature: false);
        var (calendar, _) = Battery(BatteryModel(null), CellC, withTemperature: false);

        Assert.Equal(Synthetic.FitP50(calendar), Synthetic.FitP50(clocked), 9);
        Assert.False(clocked.Parameters.ContainsKey("clock_rate"));
        Assert.DoesNotContain("wear ×", summary);
    }

    [Fact]
    public void The_model_asks_the_history_for_its_temperature()
    {
        var engine = new PhysicsEngine(Synthetic.Config(Modality.Xray, BatteryModel(Clock)));

        var needs = engine.NeedsOf(new DeviceContext("dev01", "site", Modality.Xray, Synthetic.Catalog[Modality.Xray]));

        Assert.Contains("battery_cell_temp_c", needs.Signals);
        Assert.Contains("battery_soh_pct", needs.Signals);
    }

    [Theory]
    [InlineData("\"signal\": \"battery_soh_pct\", \"activationEnergyEv\": 0.6, \"referenceTempC\": 25", "clock.signal", "needs a temperature in °C")]
    [InlineData("\"signal\": \"no_such_signal\", \"activationEnergyEv\": 0.6, \"referenceTempC\": 25", "clock.signal", "'no_such_signal' is not a signal")]
    [InlineData("\"signal\": \"battery_cell_temp_c\", \"activationEnergyEv\": 3, \"referenceTempC\": 25", "clock.activationEnergyEv", "(0, 2] eV")]
    [InlineData("\"signal\": \"battery_cell_temp_c\", \"activationEnergyEv\": 0.6", "clock.referenceTempC", "between -100 and 200")]
    public void A_bad_clock_is_rejected_naming_the_field(string clock, string field, string problem)
    {
        using var dir = new TempDirectory();
        File.WriteAllText(Path.Combine(dir.Path, "xray.json"), $$"""
            { "modality": "xray", "models": [ { "id": "battery", "component": "battery", "law": "onset-linear",
              "signal": "battery_soh_pct", "threshold": 80, "direction": "below", "clock": { {{clock}} } } ] }
            """);

        var ex = Assert.Throws<PhysicsConfigException>(() => PhysicsConfigLoader.LoadDirectory(dir.Path, Synthetic.Catalog));

        Assert.Contains($"model 'battery': field '{field}'", ex.Message);
        Assert.Contains(problem, ex.Message);
    }

    [Fact]
    public void The_shipped_battery_model_runs_on_its_cell_temperature()
    {
        var clock = Synthetic.Model("xr-battery-soh", Modality.Xray).Clock!;

        Assert.Equal("battery_cell_temp_c", clock.Signal);
        Assert.Equal(0.6, clock.ActivationEnergyEv);
        Assert.Equal(25, clock.ReferenceTempC);
    }
}
