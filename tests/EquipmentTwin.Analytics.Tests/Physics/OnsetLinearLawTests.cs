using EquipmentTwin.Analytics.Engines;
using EquipmentTwin.Analytics.Physics;
using EquipmentTwin.Analytics.Physics.Fitting;
using EquipmentTwin.Core.WireFormat;
using MathNet.Numerics.Distributions;

namespace EquipmentTwin.Analytics.Tests.Physics;

public class OnsetLinearLawTests
{
    // Wear from an onset: v = φ + b·(t − τ) after τ, φ before. φ 10 A, b 0.05 A/day, threshold 11 A (+10 %).
    private const double Phi = 10, Slope = 0.05, Threshold = 11;

    private static double Law(double t, double tau) => t < tau ? Phi : Phi + Slope * (t - tau);

    private static double CrossingFrom(double tau) => tau + (Threshold - Phi) / Slope;

    private static (double[] T, double[] V) Window(double tau, double noise, int seed, int days = 30)
    {
        var rng = new Random(seed);
        var t = Synthetic.HourlyTimes(days);
        return (t, t.Select(x => Law(x, tau) + Normal.Sample(rng, 0, noise)).ToArray());
    }

    [Fact]
    public void Fit_recovers_an_onset_inside_the_window_where_a_line_forecasts_late()
    {
        // Onset 10 days ago in a 30-day window: the crossing is 10 days ahead. A line through the 20 flat days and the
        // 10 rising ones has under half the slope and reads the crossing more than twice as far.
        var (t, v) = Window(-10, 0.05, 51);
        var truth = CrossingFrom(-10);

        var fit = OnsetLinearFit.Fit(t, v, Phi, 36)!;
        var hinge = CrossingBand.FromLine(fit.Line, Threshold, ThresholdDirection.Above)!.Value;
        var line = CrossingBand.FromLine(RobustLine.Fit(t, v, [], 36)!.Value, Threshold, ThresholdDirection.Above)!.Value;

        Assert.True(fit.Accepted, $"{fit}");
        Assert.InRange(fit.Tau, -11, -9);
        Assert.InRange(fit.B, Slope * 0.9, Slope * 1.1);
        Assert.InRange(hinge.P50, truth * 0.9, truth * 1.1);
        Assert.True(line.P50 > 2 * truth, $"line {line.P50:0.0} d vs truth {truth:0.0} d");
        Assert.True(fit.Line.TStat > PhysicsModelEvaluator.MinTStat);
    }

    [Fact]
    public void The_crossing_spread_grows_with_the_distance_from_the_onset()
    {
        var (t, v) = Window(-10, 0.05, 52);
        var fit = OnsetLinearFit.Fit(t, v, Phi, 36)!;

        var band = CrossingBand.FromLine(fit.Line, Threshold, ThresholdDirection.Above)!.Value;

        // SD(t*) = (t* − τ)·SE(b)/b with τ and φ known
        var expected = (band.P50 - fit.Tau) * Math.Sqrt(fit.VarB) / fit.B;
        Assert.Equal(expected, band.Sd, 6);
    }

    [Fact]
    public void An_onset_before_the_window_leaves_the_line()
    {
        // Wear under way for 50 days: the window is one line that starts well above φ; no hinge from φ fits it.
        var (t, v) = Window(-50, 0.05, 53);

        var fit = OnsetLinearFit.Fit(t, v, Phi, 36)!;

        Assert.False(fit.Accepted, $"{fit}");
    }

    [Fact]
    public void A_healthy_signal_has_no_hinge_to_accept()
    {
        var (t, v) = Window(100, 0.05, 54);

        var fit = OnsetLinearFit.Fit(t, v, Phi, 36)!;

        Assert.False(fit.Accepted, $"{fit}");
    }

    [Fact]
    public void A_falling_signal_is_fitted_from_its_onset_too()
    {
        // Battery state of health 95 % until 8 days ago, then −0.5 %/day: 80 % in 22 days.
        var rng = new Random(55);
        var t = Synthetic.HourlyTimes(60);
        var v = t.Select(x => (x < -8 ? 95 : 95 - 0.5 * (x + 8)) + Normal.Sample(rng, 0, 0.2)).ToArray();

        var fit = OnsetLinearFit.Fit(t, v, 95, 12)!;
        var band = CrossingBand.FromLine(fit.Line, 80, ThresholdDirection.Below)!.Value;

        Assert.True(fit.Accepted);
        Assert.InRange(band.P50, 22 * 0.9, 22 * 1.1);
    }

    [Fact]
    public void Too_few_points_give_no_fit()
    {
        Assert.Null(OnsetLinearFit.Fit([-1.0, -0.5, 0], [1.0, 1, 1], 1, 3));
    }

    [Fact]
    public void Filament_wear_from_an_onset_is_forecast_through_the_engine()
    {
        // Filament current 10 A for 30 days, then +0.05 A/day: +10 % over the 7-day baseline (11 A) at day 50. At day 45
        // the window (30 days) holds 14 healthy days and 15 of wear, over the model's 14-day span; the forecast is the
        // onset line, 5 days ahead (a line through the window: about 8).
        var rng = new Random(56);
        var model = Synthetic.Model("ct-filament-drift", Modality.Ct);
        var device = Synthetic.Device(Modality.Ct, Synthetic.Config(Modality.Ct, model));

        Synthetic.Run(device, Synthetic.Signal("filament_current_a", 0, 45, 12, d => Law(d, 30), 0.05, rng), 45);

        var e = Synthetic.Find(device, "ct-filament-drift")!;
        var f = e.Forecast!;
        Assert.Equal("onset-linear:ct-filament-drift", f.Model);
        Assert.InRange(f.Parameters["phi"], 9.98, 10.02);
        Assert.InRange(f.Parameters["tau_days"], -16, -14);
        Assert.InRange(Synthetic.FitP50(f), 4.5, 5.5);
        Assert.Contains("since", e.Summary);
        Assert.Contains("(onset)", e.Summary);
    }

    [Fact]
    public void Tube_output_falling_from_an_onset_is_forecast_from_it()
    {
        // X-ray tube output 0.05 mGy/mAs for 60 days, then 0.0004 less each day: the 0.035 dose limit at day 97.5. At day
        // 95 the 60-day window holds 25 days before the onset and 35 of the fall; the onset line reads the fall's rate, a
        // line through the window (the model's law until round 14) reads it diluted and forecasts late.
        static double Output(double d) => d < 60 ? 0.05 : 0.05 - 0.0004 * (d - 60);
        Forecast Run(PhysicsModel model)
        {
            var rng = new Random(59);
            var device = Synthetic.Device(Modality.Xray, Synthetic.Config(Modality.Xray, model));
            Synthetic.Run(device, Synthetic.Signal("tube_output_mgy_per_mas", 0, 95, 1, Output, 0.0005, rng), 95);
            return Synthetic.Find(device, model.Id)!.Forecast!;
        }

        var shipped = Synthetic.Model("xr-tube-output", Modality.Xray);
        var onset = Run(shipped);
        var line = Run(shipped with { Law = PhysicsLaw.Linear });
        var truth = 97.5 - (onset.ComputedAtMs - Synthetic.T0) / (double)Synthetic.DayMs;

        Assert.Equal("onset-linear:xr-tube-output", onset.Model);
        Assert.Equal(14, shipped.MinSpanDays);
        Assert.InRange(onset.Parameters["tau_days"], truth - 37.5 - 1, truth - 37.5 + 1);
        Assert.InRange(Synthetic.FitP50(onset), truth * 0.9, truth * 1.1);
        Assert.True(Synthetic.FitP50(line) > 1.3 * truth, $"line {Synthetic.FitP50(line):0.0} d vs truth {truth:0.0} d");
    }

    [Fact]
    public void An_onset_needs_the_models_span_of_data_after_it()
    {
        // Ten days of wear in a 30-day window: with a 3-day floor the onset is found where it is; with the filament
        // model's 14 days no onset later than 14 days ago is a candidate.
        var (t, v) = Window(-10, 0.05, 58);

        Assert.InRange(OnsetLinearFit.Fit(t, v, Phi, 36, 3)!.Tau, -11, -9);
        Assert.True(OnsetLinearFit.Fit(t, v, Phi, 36, 14)!.Tau <= -14);
    }

    // A healthy filament current read only in working hours (8-18 h), each day's hours sharing that day's exam mix
    // (day offset SD 0.05 A) over 0.1 A hourly scatter: 40 windows of 30 days.
    private static IEnumerable<(double[] T, double[] V)> ScatteringDays()
    {
        for (var seed = 0; seed < 40; seed++)
        {
            var rng = new Random(600 + seed);
            var t = Synthetic.HourlyTimes(30)
                .Where(x => (x - Math.Floor(x)) * 24 is >= 8 and < 18).ToArray();
            var day = Enumerable.Range(0, 31).Select(_ => Normal.Sample(rng, 0, 0.05)).ToArray();
            yield return (t, t.Select(x => Phi + day[(int)Math.Floor(x + 30)] + Normal.Sample(rng, 0, 0.1)).ToArray());
        }
    }

    private static bool Wear(OnsetLinearFit fit) => fit.Accepted && fit.Line.TStat > PhysicsModelEvaluator.MinTStat;

    [Fact]
    public void Days_that_scatter_together_are_not_an_onset()
    {
        Assert.DoesNotContain(ScatteringDays(), w => Wear(OnsetLinearFit.Fit(w.T, w.V, Phi, 12, 14)!));
    }

    [Fact]
    public void Without_its_guards_the_hinge_would_read_a_days_scatter_as_an_onset()
    {
        // Counted as ~300 independent points, with any onset that has 12 points after it, the best of the window's
        // onsets fits the last day's offset as wear in some windows: what the effective sample size and the span guard against.
        static OnsetLinearFit Unguarded((double[] T, double[] V) w)
        {
            var fit = OnsetLinearFit.Fit(w.T, w.V, Phi, 12)!;
            var residuals = w.T.Select((x, i) => w.V[i] - Phi - fit.B * Math.Max(0, x - fit.Tau)).ToArray();
            return fit with { DeltaBic = fit.DeltaBic * Residuals.SerialInflation(residuals) };
        }

        Assert.Contains(ScatteringDays(), w => Wear(Unguarded(w)));
    }

    [Fact]
    public void Before_the_baseline_is_known_the_law_is_a_line()
    {
        // Rising from the first hour: no baseline for 7 days, so the window is read as a line (as the linear law reads it).
        var rng = new Random(57);
        var model = Synthetic.Model("mri-chilled-water", Modality.Mri);
        var device = Synthetic.Device(Modality.Mri, Synthetic.Config(Modality.Mri, model));

        Synthetic.Run(device, Synthetic.Signal("chilled_water_supply_c", 0, 3, 12, d => 12 + 3 * d, 0.1, rng), 3);

        var f = Synthetic.Find(device, "mri-chilled-water")!.Forecast!;
        Assert.False(f.Parameters.ContainsKey("tau_days"));
        Assert.InRange(Synthetic.FitP50(f), 1.2, 1.5); // 21 °C now, 3 °C/day to 25 °C
    }

    [Fact]
    public void The_law_reads_from_config_and_needs_a_baseline()
    {
        Assert.True(PhysicsLawNames.TryParse("onset-linear", out var law));
        Assert.Equal(PhysicsLaw.OnsetLinear, law);
        Assert.Equal("onset-linear", law.ToConfig());
        Assert.True(new PhysicsModel { Id = "m", Component = "c", Law = law }.NeedsBaseline);
        Assert.Equal(PhysicsLaw.OnsetLinear, Synthetic.Model("xr-battery-soh", Modality.Xray).Law);
    }
}
