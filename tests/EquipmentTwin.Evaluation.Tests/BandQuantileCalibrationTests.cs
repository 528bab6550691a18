using EquipmentTwin.Analytics.Engines;
using EquipmentTwin.Analytics.Physics;
using EquipmentTwin.Core.Catalog;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Testing;
using static EquipmentTwin.Testing.ReportTimes;

namespace EquipmentTwin.Evaluation.Tests;

/// <summary>Per-quantile split-conformal bands: calibrated on held-out errors, they hold 50 % and 80 % together where one log-normal spread cannot.</summary>
public class BandQuantileCalibrationTests
{
    /// <summary>Log errors ln(t/P50) with tails much heavier than a log-normal's: Laplace-like, with a 20 % chance of a long late tail.</summary>
    private static double[] Errors(int n, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ =>
        {
            var u = rng.NextDouble() - 0.5;
            var laplace = -0.3 * Math.Sign(u) * Math.Log(1 - 2 * Math.Abs(u));
            return rng.NextDouble() < 0.2 ? 1.0 + 1.5 * rng.NextDouble() : laplace;
        }).ToArray();
    }

    private static BacktestReport Report(IEnumerable<double> errors, int seed, string model = "linear:m") => Report(errors.Select(e => (model, e)), seed);

    /// <summary>A report whose forecasts each had a fit P50 of 10 days and a failure at 10·e^error days.</summary>
    private static BacktestReport Report(IEnumerable<(string Model, double Error)> errors, int seed)
    {
        var faults = errors.Select((x, k) => new FaultScore($"f{k}", "d", "c", "s", "machine", At(-5), At(10 * Math.Exp(x.Error)), null,
            new Dictionary<string, string?>(), new Dictionary<string, double?>(), new Dictionary<string, bool?>(),
            new Dictionary<string, BandDto?> { ["physics"] = new BandDto(At(5), At(10), At(20), x.Model, At(0)) })).ToList();
        return new BacktestReport("f", seed, 100, At(0), At(100), 1, 3, new Dictionary<string, EngineScore>(), faults, [], new BacktestTiming(0, 0, 0, 0));
    }

    /// <summary>Normal errors around <paramref name="bias"/> with spread <paramref name="sd"/>.</summary>
    private static IEnumerable<double> Normal(int n, double bias, double sd, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => bias + sd * Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble())).ToArray();
    }

    private static BandQuantiles Quantiles(IReadOnlyDictionary<string, double> table) =>
        BandQuantiles.FromOffsets(BandQuantiles.Levels.Select(l => table[l.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)]).ToArray());

    /// <summary>Share of <paramref name="errors"/> inside the central band of <paramref name="level"/>, scored as the backtest scores a forecast.</summary>
    private static double Coverage(BandQuantiles quantiles, IEnumerable<double> errors, double level)
    {
        var f = Forecast(quantiles.Apply(10, 0));
        var pit = errors.Select(e => BacktestScorer.Pit(f, Ms(10 * Math.Exp(e)))).ToArray();
        return (double)pit.Count(u => Math.Abs(u - 0.5) <= level / 2 + 1e-9) / pit.Length;
    }

    private static Forecast Forecast(double[] q) =>
        new Forecast("c", "s", 1, ThresholdDirection.Above, Ms(q[1]), Ms(q[3]), Ms(q[5]), "linear:m", new Dictionary<string, double>(), 1, 10, T0.ToUnixTimeMilliseconds())
        { P05Ms = Ms(q[0]), P25Ms = Ms(q[2]), P75Ms = Ms(q[4]), P95Ms = Ms(q[6]) };

    private static long Ms(double days) => T0.ToUnixTimeMilliseconds() + (long)(days * 86_400_000);

    [Fact]
    public void Quantile_table_from_two_calibration_seeds_holds_fifty_and_eighty_percent_on_fresh_errors_where_one_spread_cannot()
    {
        var table = BandCalibration.CalibrateQuantiles([Report(Errors(60, 1), 201), Report(Errors(60, 2), 202)]);
        Assert.Equal(120, table.Forecasts);
        Assert.Equal([201, 202], table.Seeds);
        var quantiles = BandQuantiles.FromOffsets(BandQuantiles.Levels.Select(l => table.BandQuantiles[l.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)]).ToArray());
        Assert.True(quantiles.IsMonotone);

        // Fresh errors, scored the way the backtest scores a forecast that states its quantiles.
        var fresh = Errors(4000, 3);
        var q = quantiles.Apply(10, 0);
        var pit = fresh.Select(e => BacktestScorer.Pit(Forecast(q), Ms(10 * Math.Exp(e)))).ToArray();
        double Coverage(double level) => (double)pit.Count(u => Math.Abs(u - 0.5) <= level / 2 + 1e-9) / pit.Length;
        Assert.InRange(Coverage(0.5), 0.42, 0.58);
        Assert.InRange(Coverage(0.8), 0.75, 0.88);
        Assert.InRange(Coverage(0.9), 0.85, 0.97);

        // One log-normal spread calibrated for 80 % on the same errors over-covers the 50 % band.
        var spread = BandCalibration.Calibrate([Report(Errors(60, 1), 201), Report(Errors(60, 2), 202)], spreadUsed: 1e-6).Spread;
        var z90 = 1.2815515655446004;
        var lognormal = new Forecast("c", "s", 1, ThresholdDirection.Above, Ms(10 * Math.Exp(-z90 * spread)), Ms(10), Ms(10 * Math.Exp(z90 * spread)), "linear:m", new Dictionary<string, double>(), 1, 10, T0.ToUnixTimeMilliseconds());
        var single = fresh.Select(e => BacktestScorer.Pit(lognormal, Ms(10 * Math.Exp(e)))).Count(u => Math.Abs(u - 0.5) <= 0.25) / (double)fresh.Length;
        Assert.True(single > 0.58, $"one spread held {single:0.00} in its 50 % band");
    }

    [Fact]
    public void Weibull_forecasts_are_left_out_and_too_few_forecasts_are_refused()
    {
        var mixed = Report(Errors(10, 4), 201, "weibull-usage:ct-tube-life");
        Assert.Throws<InvalidOperationException>(() => BandCalibration.CalibrateQuantiles([mixed]));
        Assert.Equal(10, BandCalibration.CalibrateQuantiles([mixed, Report(Errors(10, 5), 202)]).Forecasts);
    }

    [Fact]
    public void Quantile_band_is_never_narrower_than_the_fit_itself()
    {
        var table = new BandQuantiles(-0.2, -0.15, -0.05, 0.0, 0.05, 0.15, 0.2);
        var tight = table.Apply(10, 0.01);
        Assert.Equal(10 * Math.Exp(-0.15), tight[1], 6);
        Assert.Equal(10 * Math.Exp(0.15), tight[5], 6);

        var wide = table.Apply(10, 1.0);
        Assert.Equal(10 * Math.Exp(-1.2815515655446004), wide[1], 6);
        Assert.Equal(10 * Math.Exp(0.6744897501960817), wide[4], 6);
        Assert.True(wide.Zip(wide.Skip(1)).All(p => p.First <= p.Second));
    }

    [Fact]
    public void Per_model_tables_hold_each_models_band_where_the_pooled_table_of_a_mixture_misses_the_rarer_model()
    {
        // Two laws with different biases (one fits early by e^1.8, one late by e^-0.7), each tight, one three times as
        // common as the other, and a rare third.
        (string, double)[] Mixed(int n, int seed) =>
            [.. Normal(n, 1.8, 0.3, seed).Select(e => ("exponential:bearing", e)), .. Normal(3 * n, -0.7, 0.2, seed + 100).Select(e => ("linear:cold-head", e)), .. Normal(3, 0, 0.5, seed + 200).Select(e => ("poisson-rate:trips", e))];
        var calibration = BandCalibration.CalibrateQuantiles([Report(Mixed(100, 1), 201), Report(Mixed(100, 2), 202)], minPerModel: 8);

        Assert.Equal(806, calibration.Forecasts);
        Assert.Equal(["bearing", "cold-head"], calibration.Models!.Keys);
        Assert.Equal(new Dictionary<string, int> { ["trips"] = 6 }, calibration.PooledOnly);
        Assert.Equal(200, calibration.Models["bearing"].Forecasts);
        Assert.Equal(1.8, calibration.Models["bearing"].MedianError, 1);

        var pooled = new Dictionary<string, double>();
        foreach (var (model, bias, sd) in new[] { ("bearing", 1.8, 0.3), ("cold-head", -0.7, 0.2) })
        {
            var fresh = Normal(4000, bias, sd, 7).ToArray();
            var own = Quantiles(calibration.Models[model].BandQuantiles);
            Assert.InRange(Coverage(own, fresh, 0.5), 0.45, 0.55);
            Assert.InRange(Coverage(own, fresh, 0.8), 0.76, 0.84);
            pooled[model] = Coverage(Quantiles(calibration.BandQuantiles), fresh, 0.5);
        }

        // The pooled 50 % band spans the common model's upper two thirds and the gap: it never holds a bearing failure.
        Assert.True(pooled["bearing"] < 0.05 && pooled["cold-head"] > 0.6, $"pooled 50 % band held bearing {pooled["bearing"]:0.00}, cold head {pooled["cold-head"]:0.00}");

        // Without a minimum, only the pooled table.
        Assert.Null(BandCalibration.CalibrateQuantiles([Report(Mixed(100, 1), 201)]).Models);
    }

    [Fact]
    public void Centered_tables_keep_each_models_bias_and_read_the_shared_spread_from_every_model()
    {
        // Same spread, different biases; one model has only 12 forecasts, too few for quantiles of its own to hold a
        // 90 % band, but enough for its median.
        (string, double)[] Biased(int seed) =>
            [.. Normal(150, 1.5, 0.3, seed).Select(e => ("exponential:bearing", e)), .. Normal(150, -0.5, 0.3, seed + 100).Select(e => ("linear:cold-head", e)), .. Normal(6, 0.4, 0.3, seed + 200).Select(e => ("linear:battery", e))];
        var runs = new[] { Report(Biased(1), 201), Report(Biased(2), 202) };
        var centered = BandCalibration.CalibrateQuantiles(runs, minPerModel: 10, centered: true);

        Assert.Equal(["battery", "bearing", "cold-head"], centered.Models!.Keys);
        Assert.Equal((1.5, -0.5), (Math.Round(centered.Models["bearing"].MedianError, 1), Math.Round(centered.Models["cold-head"].MedianError, 1)));
        Assert.InRange(centered.Models["battery"].MedianError, 0.2, 0.6); // the median of 12 draws around 0.4
        // One shape: every model's table is its median plus the same offsets.
        var shapes = centered.Models.Values.Select(m => Quantiles(m.BandQuantiles).Offsets.Select(o => o - m.MedianError).ToArray()).ToList();
        Assert.All(shapes, sh => Assert.Equal(shapes[0], sh, (a, b) => Math.Abs(a - b) < 2e-4));

        var battery = Normal(4000, 0.4, 0.3, 9).ToArray();
        var own = BandCalibration.CalibrateQuantiles(runs, minPerModel: 10).Models!["battery"];
        var (c50, c90) = (Coverage(Quantiles(centered.Models["battery"].BandQuantiles), battery, 0.5), Coverage(Quantiles(centered.Models["battery"].BandQuantiles), battery, 0.9));
        Assert.InRange(c50, 0.40, 0.60);
        Assert.InRange(c90, 0.85, 0.95);
        // Its own 12 forecasts put the 5 % and 95 % offsets at its extremes: a narrower 90 % band on this draw.
        Assert.True(Coverage(Quantiles(own.BandQuantiles), battery, 0.9) < c90, "the model's own 12-forecast table held the 90 % band as well as the centered one");
        Assert.Throws<ArgumentException>(() => BandCalibration.CalibrateQuantiles(runs, centered: true));
    }

    [Fact]
    public void Errors_are_measured_from_the_fits_own_median_when_the_run_published_a_calibrated_one()
    {
        var faults = Enumerable.Range(0, 41).Select(k => 0.3 + 0.01 * (k - 20)).Select((e, k) => new FaultScore($"f{k}", "d", "c", "s", "machine", At(-5), At(10 * Math.Exp(e)), null,
            new Dictionary<string, string?>(), new Dictionary<string, double?>(), new Dictionary<string, bool?>(),
            new Dictionary<string, BandDto?> { ["physics"] = new BandDto(At(8), At(14), At(30), "linear:m", At(0), FitP50: At(10)) })).ToList();
        var report = new BacktestReport("f", 201, 100, At(0), At(100), 1, 3, new Dictionary<string, EngineScore>(), faults, [], new BacktestTiming(0, 0, 0, 0));

        var table = BandCalibration.CalibrateQuantiles([report]);
        Assert.Equal(0.3, table.BandQuantiles["0.50"], 6); // from the published P50 (14 d) it would be 0.3 − ln 1.4 = −0.04
    }

    [Fact]
    public void Rank_quantiles_give_the_nominal_coverage_in_expectation_where_outward_ranks_overshoot()
    {
        // Uniform draws: the coverage of [q25, q75] is simply their difference. Mean over many small calibration sets.
        var rng = new Random(11);
        double interpolated = 0, outward = 0;
        const int sets = 4000, n = 10;
        for (var i = 0; i < sets; i++)
        {
            var u = Enumerable.Range(0, n).Select(_ => rng.NextDouble()).Order().ToList();
            interpolated += BandCalibration.RankQuantile(u, 0.75) - BandCalibration.RankQuantile(u, 0.25);
            outward += u[(int)Math.Ceiling((n + 1) * 0.75) - 1] - u[(int)Math.Floor((n + 1) * 0.25) - 1];
        }

        Assert.InRange(interpolated / sets, 0.49, 0.51);
        Assert.True(outward / sets > 0.6, $"outward ranks held {outward / sets:0.000}");
        Assert.Equal(2.0, BandCalibration.RankQuantile([1, 2, 3], 0.5));
        Assert.Equal(1.0, BandCalibration.RankQuantile([1, 2, 3], 0.05));
        Assert.Equal(3.0, BandCalibration.RankQuantile([1, 2, 3], 0.95));
        Assert.Equal(1.5, BandCalibration.RankQuantile([1, 2, 3], 0.375));
    }

    [Fact]
    public void Forecasts_made_after_an_observed_crossing_give_the_days_to_the_failure_instead_of_a_log_error()
    {
        // Ten crossed first forecasts (fit P50 = now) whose units failed 0.5, 1.0, ... 5.0 days later, beside 20 trend forecasts.
        var faults = Enumerable.Range(1, 10).Select(k => new FaultScore($"x{k}", "d", "c", "s", "machine", At(-5), At(0.5 * k), null,
            new Dictionary<string, string?>(), new Dictionary<string, double?>(), new Dictionary<string, bool?>(),
            new Dictionary<string, BandDto?> { ["physics"] = new BandDto(At(0), At(0), At(0), k <= 8 ? "linear:detector" : "poisson-rate:arcs", At(0)) })).ToList();
        var trend = Report(Errors(20, 9), 201);
        var run = trend with { Faults = [.. trend.Faults, .. faults] };

        var calibration = BandCalibration.CalibrateQuantiles([run]);
        Assert.Equal(20, calibration.Forecasts);
        var after = calibration.AfterCrossing!;
        Assert.Equal(10, after.Forecasts);
        Assert.Equal(new Dictionary<string, int> { ["arcs"] = 2, ["detector"] = 8 }, after.ByModel);
        Assert.Equal(2.75, after.AfterCrossingDays["0.50"], 6);
        Assert.Equal(1.375, after.AfterCrossingDays["0.25"], 6); // rank 11 × 0.25 = 2.75: three quarters from 1.0 to 1.5
        Assert.Equal(0.5, after.AfterCrossingDays["0.05"], 6);

        // A run that published the table: P50 moved, the fit's P50 stayed "now".
        var published = faults.Select(f => f with { Band = new Dictionary<string, BandDto?> { ["physics"] = f.Band["physics"]! with { P50 = At(2.75), FitP50 = At(0) } } });
        Assert.Equal(10, BandCalibration.CalibrateQuantiles([trend with { Faults = [.. trend.Faults, .. published] }]).AfterCrossing!.Forecasts);
        Assert.Null(BandCalibration.CalibrateQuantiles([trend]).AfterCrossing);
    }

    [Fact]
    public void Leave_one_seed_out_scores_each_run_against_tables_calibrated_on_the_others()
    {
        // Ten runs of exchangeable errors: the held-out coverage is near the level. One run is all far-late errors: none held.
        var runs = Enumerable.Range(0, 10).Select(k => Report(Normal(40, 0, 1, 30 + k), 201 + k)).ToList();
        var check = BandCalibration.CrossValidate(runs);
        Assert.Equal(400, check.Forecasts);
        Assert.Equal(Enumerable.Range(201, 10), check.Seeds.Select(s => s.Seed));
        Assert.InRange(check.Pooled["50"], 0.44, 0.56);
        Assert.InRange(check.Pooled["80"], 0.74, 0.86);
        Assert.InRange(check.MedianWidth50, 1.1, 1.6); // 2 × 0.674 for a unit normal
        // The exact central band of level 1 − α of a unit normal scores 4φ(z)/α in expectation: 2.54, 3.51 and 4.12, mean 3.39.
        Assert.InRange(check.IntervalScore, 3.1, 3.9);

        var late = Report(Enumerable.Repeat(5.0, 20), 299);
        var withLate = BandCalibration.CrossValidate([.. runs, late]);
        Assert.Equal(0, withLate.Seeds.Single(s => s.Seed == 299).Coverage["90"]);
        Assert.Throws<InvalidOperationException>(() => BandCalibration.CrossValidate([late]));
    }

    /// <summary>A copy of the shipped physics config in a temporary folder.</summary>
    private static TempDirectory ShippedConfigCopy()
    {
        var dir = new TempDirectory("band-tables");
        foreach (var file in Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, "config", "physics"), "*.json"))
        {
            File.Copy(file, Path.Combine(dir.Path, Path.GetFileName(file)));
        }

        return dir;
    }

    private const string ColdHead = "linear:mri-coldhead-stage2";

    private static Dictionary<string, string> Contents(string dir) => Directory.EnumerateFiles(dir).ToDictionary(f => f, File.ReadAllText);

    [Fact]
    public void New_tables_replace_the_configs_only_when_they_validate_at_least_as_well()
    {
        using var config = ShippedConfigCopy();
        var before = Contents(config.Path);
        var catalog = SignalCatalog.LoadDirectory(RepoPaths.Catalog);

        // The shipped tables expect errors around 0; these runs' errors sit around +3 (failures 20 times later than the fit said).
        var late = BandCalibration.CalibrateQuantiles([Report(Normal(60, 3, 0.3, 1), 201, ColdHead), Report(Normal(60, 3, 0.3, 2), 202, ColdHead)]);
        var validation = new[] { Report(Normal(40, 3, 0.3, 3), 301, ColdHead), Report(Normal(40, 3, 0.3, 4), 302, ColdHead) };

        // A candidate that expects failures 20 times earlier does worse than the shipped tables on runs around +1.5: kept.
        var kept = BandTablePromotion.Validate(BandCalibration.CalibrateQuantiles([Report(Normal(60, -3, 0.3, 5), 203, ColdHead)]), config.Path, catalog, [Report(Normal(40, 1.5, 0.3, 7), 303, ColdHead)], write: true);
        Assert.False(kept.Promoted);
        Assert.Null(kept.Written);
        Assert.Equal(before, Contents(config.Path));

        var promoted = BandTablePromotion.Validate(late, config.Path, catalog, validation, write: true);
        Assert.True(promoted.Promoted, $"candidate {promoted.Candidate.Distance}, current {promoted.Current.Distance}");
        Assert.Equal(80, promoted.Candidate.Forecasts);
        Assert.InRange(promoted.Candidate.Coverage["80"], 0.7, 0.9);
        Assert.True(promoted.Current.Coverage["90"] < 0.05, $"the shipped 90 % band held {promoted.Current.Coverage["90"]}");
        Assert.False(promoted.Current.Calibrated);
        Assert.Equal(config.Path, promoted.Written);

        // The folder still loads, every trend model now publishes the new table, everything else is as it was.
        var loaded = PhysicsConfigLoader.LoadDirectory(config.Path, catalog);
        var shipped = PhysicsConfigLoader.LoadDirectory(Path.Combine(RepoPaths.Root, "config", "physics"), catalog);
        var table = BandQuantiles.FromOffsets(BandQuantiles.Levels.Select(l => late.BandQuantiles[l.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)]).ToArray());
        foreach (var modality in shipped.Modalities)
        {
            static string Rest(PhysicsModel m) => $"{m with { BandQuantiles = null, AfterCrossingDays = null, LaterBandQuantiles = [] }} {string.Join(",", m.Codes)} {string.Join(",", m.ResetCodes)} {string.Join(",", m.ResetComponents)}";
            Assert.Equal(shipped.For(modality).Select(Rest), loaded.For(modality).Select(Rest));
            Assert.All(loaded.For(modality), m => Assert.Empty(m.LaterBandQuantiles)); // a table without ages replaces the shipped tables by age
            Assert.All(loaded.For(modality), m => Assert.Equal(m.Law == PhysicsLaw.WeibullUsage ? null : table, m.BandQuantiles));

            // It was judged without an after-crossing table (its runs had no crossed forecast), and is written so.
            Assert.All(loaded.For(modality), m => Assert.Null(m.AfterCrossingDays));
        }

        // The same data as calibration and validation is refused.
        Assert.Throws<InvalidOperationException>(() => BandTablePromotion.Validate(late, config.Path, catalog, [Report(Normal(10, 3, 0.3, 6), 201, ColdHead)], write: false));
    }

    [Fact]
    public void Tables_give_way_to_calibrated_ones_with_a_lower_interval_score_and_never_to_ones_that_miss()
    {
        using var config = ShippedConfigCopy();
        var catalog = SignalCatalog.LoadDirectory(RepoPaths.Catalog);
        // Two laws, one early by e^1.5 and one late by e^-0.5, each spread 0.2 (or 0.02: ten times too sure of itself).
        (string, double)[] Mix(int n, int seed, double sd = 0.2) =>
            [.. Normal(n, 1.5, sd, seed).Select(e => ("onset-exponential:ct-gantry-bearing", e)), .. Normal(n, -0.5, sd, seed + 50).Select(e => ("onset-exponential:mri-coldhead-stage2", e))];
        var calibration = new[] { Report(Mix(60, 1), 201), Report(Mix(60, 2), 202) };

        // The shipped table's 50 % band holds no failure of either law; a pooled table of the mix holds its levels.
        var pooled = BandTablePromotion.Validate(BandCalibration.CalibrateQuantiles(calibration), config.Path, catalog, [Report(Mix(60, 3), 301), Report(Mix(60, 4), 302)], write: true);
        Assert.True(pooled.Promoted && pooled.Candidate.Calibrated && pooled.Candidate.IntervalScore < pooled.Current.IntervalScore, $"{pooled}");
        Assert.False(pooled.Current.Calibrated);
        Assert.InRange(pooled.Candidate.Coverage["80"], 0.75, 0.85);

        // Per-model centered tables hold the levels as well and are far sharper: they replace the pooled one, whatever
        // the coverage distance on these runs says.
        var validation = new[] { Report(Mix(60, 5), 303), Report(Mix(60, 6), 304) };
        var centered = BandTablePromotion.Validate(BandCalibration.CalibrateQuantiles(calibration, minPerModel: 20, centered: true), config.Path, catalog, validation, write: false);
        Assert.True(centered.Promoted && centered.Candidate.IntervalScore < 0.5 * centered.Current.IntervalScore, $"{centered}");
        Assert.True(centered.Candidate.Calibrated, string.Join(",", centered.Candidate.Coverage));
        Assert.All(centered.Candidate.Coverage, c => Assert.InRange(c.Value, new Dictionary<string, double> { ["50"] = 0.4, ["80"] = 0.72, ["90"] = 0.84 }[c.Key], 1));

        // Tables read from laws that seemed ten times surer than they are: they miss most failures, yet their interval
        // score beats the wide calibrated table's; the calibration check refuses them.
        var narrow = BandCalibration.CalibrateQuantiles([Report(Mix(60, 7, 0.02), 205), Report(Mix(60, 8, 0.02), 206)], minPerModel: 20, centered: true);
        var refused = BandTablePromotion.Validate(narrow, config.Path, catalog, validation, write: true);
        Assert.False(refused.Promoted, $"{refused}");
        Assert.False(refused.Candidate.Calibrated);
        Assert.True(refused.Candidate.IntervalScore < refused.Current.IntervalScore);
        Assert.True(refused.Candidate.Coverage["80"] < 0.3);
        Assert.Equal(refused.Current.IntervalScore, BandTablePromotion.Score(validation, BandTablePromotion.Of(PhysicsConfigLoader.LoadDirectory(config.Path, catalog))).IntervalScore);
    }

    /// <summary>
    /// A report of <paramref name="n"/> failures, each 10·e^e days after its first forecast (errors spread 0.2), whose open
    /// alert then showed <paramref name="later"/> more daily forecasts, each with an error spread <paramref name="laterSd"/>.
    /// </summary>
    private static BacktestReport WithDaily(int n, int later, double laterSd, int seed) => WithDaily(n, later, _ => laterSd, seed);

    /// <summary>As above, with the later forecasts' spread a function of their age (days since the first forecast, which opened the alert at day 0).</summary>
    private static BacktestReport WithDaily(int n, int later, Func<double, double> laterSd, int seed, string model = "linear:m")
    {
        var first = Normal(n, 0, 0.2, seed).ToArray();
        var rest = Normal(n * later, 0, 1, seed + 1000).ToArray();
        var faults = first.Select((e, k) =>
        {
            var failure = 10 * Math.Exp(e);
            var shown = new List<BandDto> { new(At(5), At(10), At(20), model, At(0)) };
            for (var j = 0; j < later; j++)
            {
                var computed = failure * (j + 1) / (later + 1);
                var p50 = computed + (failure - computed) / Math.Exp(laterSd(computed) * rest[k * later + j]);
                shown.Add(new BandDto(At(p50), At(p50), At(p50), model, At(computed)));
            }

            return new FaultScore($"f{k}", "d", "c", "s", "machine", At(-5), At(failure), null,
                new Dictionary<string, string?> { ["physics"] = At(0) }, new Dictionary<string, double?>(), new Dictionary<string, bool?>(),
                new Dictionary<string, BandDto?> { ["physics"] = shown[0] })
            {
                DailyBands = new Dictionary<string, IReadOnlyList<BandDto>> { ["physics"] = shown },
            };
        }).ToList();
        return new BacktestReport("f", seed, 100, At(0), At(100), 1, 3, new Dictionary<string, EngineScore>(), faults, [], new BacktestTiming(0, 0, 0, 0));
    }

    [Fact]
    public void Tables_read_from_daily_forecasts_hold_the_later_forecasts_that_tables_read_from_first_forecasts_miss()
    {
        using var config = ShippedConfigCopy();
        var catalog = SignalCatalog.LoadDirectory(RepoPaths.Catalog);
        // First forecasts err by a spread of 0.2, the eight later ones of each failure by 0.8.
        var calibration = new[] { WithDaily(40, 8, 0.8, 1), WithDaily(40, 8, 0.8, 2) };
        var validation = new[] { WithDaily(40, 8, 0.8, 3), WithDaily(40, 8, 0.8, 4) };

        var first = BandCalibration.CalibrateQuantiles(calibration);
        var daily = BandCalibration.CalibrateQuantiles(calibration, set: ForecastSet.Daily);
        Assert.Equal((80, 80, ForecastSet.First), (first.Forecasts, first.Failures, first.Set));
        Assert.Equal((720, 80, ForecastSet.Daily), (daily.Forecasts, daily.Failures, daily.Set));

        // Scored on the validation runs' daily forecasts, the first-forecast table is far too narrow and the daily one holds.
        var onFirst = BandTablePromotion.Score(validation, BandTablePromotion.Of(first), set: ForecastSet.Daily);
        var onDaily = BandTablePromotion.Score(validation, BandTablePromotion.Of(daily), set: ForecastSet.Daily);
        Assert.Equal(720, onDaily.Forecasts);
        Assert.True(onFirst.Coverage["80"] < 0.5, $"{onFirst}");
        Assert.InRange(onDaily.Coverage["80"], 0.74, 0.86);
        Assert.InRange(onDaily.Coverage["50"], 0.42, 0.58);

        // The gate judges a daily candidate on daily forecasts, with a tolerance counted in failures: it replaces the shipped
        // table, and the note it writes says which forecasts it rests on.
        var gate = BandTablePromotion.Validate(daily, config.Path, catalog, validation, write: true);
        Assert.True(gate.Promoted && gate.Candidate.Calibrated, $"{gate.Candidate}");
        Assert.Equal(720, gate.Candidate.Forecasts);
        Assert.Contains("--forecasts daily on 720 daily trend forecasts of 80 failures", File.ReadAllText(Path.Combine(config.Path, "mri.json")), StringComparison.Ordinal);

        // Leave-one-seed-out reads the held-out run's daily forecasts too.
        Assert.Equal(1440, BandCalibration.CrossValidate([.. calibration, .. validation], set: ForecastSet.Daily).Forecasts);

        // Reports without daily forecasts cannot calibrate on them.
        var old = Report(Errors(30, 7), 207);
        var ex = Assert.Throws<InvalidOperationException>(() => BandCalibration.CalibrateQuantiles([old], set: ForecastSet.Daily));
        Assert.Contains("no daily forecasts", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tables_by_age_hold_forecasts_whose_errors_grow_with_the_age_of_their_evidence_more_sharply_than_one_table()
    {
        using var config = ShippedConfigCopy();
        var catalog = SignalCatalog.LoadDirectory(RepoPaths.Catalog);
        // Forecasts made in the alert's first five days err by a spread of 0.2, later ones by 0.8.
        static double Spread(double age) => age < 5 ? 0.2 : 0.8;
        const string coldHead = "onset-exponential:mri-coldhead-stage2";
        var calibration = new[] { WithDaily(60, 8, Spread, 1, coldHead), WithDaily(60, 8, Spread, 2, coldHead) };
        var validation = new[] { WithDaily(60, 8, Spread, 3, coldHead), WithDaily(60, 8, Spread, 4, coldHead) };

        var one = BandCalibration.CalibrateQuantiles(calibration, set: ForecastSet.Daily);
        var byAge = BandCalibration.CalibrateQuantiles(calibration, set: ForecastSet.Daily, ageDays: [5]);
        var aged = Assert.Single(byAge.ByAge!);
        Assert.Equal(5, aged.FromDays);
        Assert.InRange(aged.Forecasts, 100, byAge.Forecasts - 100); // both ages hold a good share of the 960 forecasts
        Assert.True(aged.BandQuantiles["0.90"] - aged.BandQuantiles["0.10"] > 2.5 * (byAge.BandQuantiles["0.90"] - byAge.BandQuantiles["0.10"]), "the older forecasts' band is wider");

        // Both hold their levels on the validation runs; the tables by age are sharper.
        var scoreOne = BandTablePromotion.Score(validation, BandTablePromotion.Of(one), set: ForecastSet.Daily);
        var scoreByAge = BandTablePromotion.Score(validation, BandTablePromotion.Of(byAge), set: ForecastSet.Daily);
        Assert.True(scoreOne.Calibrated && scoreByAge.Calibrated, $"{scoreOne} {scoreByAge}");
        Assert.True(scoreByAge.IntervalScore < 0.95 * scoreOne.IntervalScore, $"{scoreByAge.IntervalScore} vs {scoreOne.IntervalScore}");

        // Promoted, written as bandQuantilesByAge, loaded back by the engine's loader and scored the same from there.
        var gate = BandTablePromotion.Validate(byAge, config.Path, catalog, validation, write: true);
        Assert.True(gate.Promoted, $"{gate}");
        var loaded = PhysicsConfigLoader.LoadDirectory(config.Path, catalog);
        Assert.Equal(5, Assert.Single(loaded.For(Modality.Mri).Single(m => m.Id == "mri-coldhead-stage2").LaterBandQuantiles).FromDays);
        Assert.Equal(scoreByAge.IntervalScore, BandTablePromotion.Score(validation, BandTablePromotion.Of(loaded), set: ForecastSet.Daily).IntervalScore, 3);
        Assert.Contains("bandQuantilesByAgeCalibration", File.ReadAllText(Path.Combine(config.Path, "ct.json")), StringComparison.Ordinal);

        // A later table without ages removes them again (the gate would not promote this one: it is less sharp).
        Assert.False(BandTablePromotion.Validate(one, config.Path, catalog, validation, write: false).Promoted);
        BandTablePromotion.Write(one, config.Path, [301], scoreOne, scoreByAge);
        Assert.DoesNotContain("bandQuantilesByAge", File.ReadAllText(Path.Combine(config.Path, "ct.json")), StringComparison.Ordinal);

        // Bands that carry the age the engine chose their table by are read by that age, not by the days since the first alert.
        static BacktestReport Carried(BacktestReport r) => r with
        {
            Faults = [.. r.Faults.Select(f => f with
            {
                FirstAlert = new Dictionary<string, string?>(),
                DailyBands = f.DailyBands!.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<BandDto>)[.. kv.Value.Select(b => b with { AgeDays = (DateTimeOffset.Parse(b.Computed!, System.Globalization.CultureInfo.InvariantCulture) - T0).TotalDays })]),
            })],
        };
        var carried = BandCalibration.CalibrateQuantiles([.. calibration.Select(Carried)], set: ForecastSet.Daily, ageDays: [5]);
        Assert.Equal(aged.BandQuantiles, Assert.Single(carried.ByAge!).BandQuantiles);

        // Too few forecasts of an age, and ages with tables per model, are refused.
        var ex = Assert.Throws<InvalidOperationException>(() => BandCalibration.CalibrateQuantiles(calibration, set: ForecastSet.Daily, ageDays: [5, 500]));
        Assert.Contains("forecasts of evidence 500", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => BandCalibration.CalibrateQuantiles(calibration, minPerModel: 10, set: ForecastSet.Daily, ageDays: [5]));
        Assert.Throws<ArgumentException>(() => BandCalibration.CalibrateQuantiles(calibration, set: ForecastSet.Daily, ageDays: [5, 5]));
    }

    [Fact]
    public void A_per_model_table_is_written_into_its_models_entry_and_removed_when_a_later_calibration_has_none()
    {
        using var config = ShippedConfigCopy();
        var catalog = SignalCatalog.LoadDirectory(RepoPaths.Catalog);
        (string, double)[] Errors(int n, int seed) =>
            [.. Normal(n, -0.7, 0.1, seed).Select(e => ("linear:mri-coldhead-stage2", e)), .. Normal(n, 0.1, 0.3, seed + 50).Select(e => ("linear:ct-filament-drift", e))];
        var perModel = BandCalibration.CalibrateQuantiles([Report(Errors(30, 1), 201)], minPerModel: 100);
        var withColdHead = perModel with { Models = new Dictionary<string, ModelBandQuantiles> { ["mri-coldhead-stage2"] = BandCalibration.CalibrateQuantiles([Report(Errors(30, 1), 201)], minPerModel: 10).Models!["mri-coldhead-stage2"] } };

        BandTablePromotion.Write(withColdHead, config.Path, [301], new BandTableScore(1, new Dictionary<string, double> { ["50"] = 0.5, ["80"] = 0.8, ["90"] = 0.9 }, 0), new BandTableScore(1, new Dictionary<string, double> { ["50"] = 0.4, ["80"] = 0.7, ["90"] = 0.8 }, 0.1));
        var coldHead = PhysicsConfigLoader.LoadDirectory(config.Path, catalog).For(Modality.Mri).Single(m => m.Id == "mri-coldhead-stage2");
        Assert.InRange(coldHead.BandQuantiles!.Q50, -0.8, -0.6);
        Assert.Contains("\"bandQuantilesCalibration\": \"this model's own table from its 30 forecasts", File.ReadAllText(Path.Combine(config.Path, "mri.json")));

        BandTablePromotion.Write(perModel, config.Path, [301], new BandTableScore(1, new Dictionary<string, double> { ["50"] = 0.5, ["80"] = 0.8, ["90"] = 0.9 }, 0), new BandTableScore(1, new Dictionary<string, double> { ["50"] = 0.5, ["80"] = 0.8, ["90"] = 0.9 }, 0));
        var pooled = PhysicsConfigLoader.LoadDirectory(config.Path, catalog).For(Modality.Mri).Single(m => m.Id == "mri-coldhead-stage2");
        Assert.Equal(Math.Round(perModel.BandQuantiles["0.50"], 4), pooled.BandQuantiles!.Q50);
        Assert.DoesNotContain("this model's own table", File.ReadAllText(Path.Combine(config.Path, "mri.json")));
    }

    [Fact]
    public void A_models_own_after_crossing_table_is_written_into_its_entry_scored_from_there_and_removed_when_a_later_calibration_has_none()
    {
        using var config = ShippedConfigCopy();
        var catalog = SignalCatalog.LoadDirectory(RepoPaths.Catalog);
        static IReadOnlyDictionary<string, double> Days(params double[] d) =>
            BandQuantiles.Levels.Select((l, i) => (Key: l.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture), d[i])).ToDictionary(p => p.Key, p => p.Item2);
        var pooledAfter = Days(0.1, 0.2, 0.5, 1, 2, 3, 4);
        var tubeAfter = Days(7, 14, 30, 58, 83, 104, 116);
        var calibration = BandCalibration.CalibrateQuantiles([Report(Errors(30, 1), 201)]) with
        {
            AfterCrossing = new AfterCrossingCalibration(pooledAfter, 22, new Dictionary<string, int>(), new Dictionary<string, ModelAfterCrossing> { ["xr-tube-output"] = new(tubeAfter, 730, 14) }),
        };
        var score = new BandTableScore(1, new Dictionary<string, double> { ["50"] = 0.5, ["80"] = 0.8, ["90"] = 0.9 }, 0);

        BandTablePromotion.Write(calibration, config.Path, [301], score, score);
        var loaded = PhysicsConfigLoader.LoadDirectory(config.Path, catalog);
        Assert.Equal(58, loaded.For(Modality.Xray).Single(m => m.Id == "xr-tube-output").AfterCrossingDays!.Q50);
        Assert.Equal(1, loaded.For(Modality.Xray).Single(m => m.Id == "xr-filament-drift").AfterCrossingDays!.Q50);
        Assert.Contains("this model's own days from an observed crossing to the failure, from its 730 first forecasts made after the crossing, 14 failures", File.ReadAllText(Path.Combine(config.Path, "xray.json")), StringComparison.Ordinal);

        // Both the calibration and the config give a crossed tube forecast its own table, and a filament forecast the pooled one.
        foreach (var tables in new[] { BandTablePromotion.Of(calibration), BandTablePromotion.Of(loaded) })
        {
            Assert.Equal(58, tables("xr-tube-output", 40).AfterCrossing!["0.50"]);
            Assert.Equal(1, tables("xr-filament-drift", 40).AfterCrossing!["0.50"]);
        }

        BandTablePromotion.Write(calibration with { AfterCrossing = calibration.AfterCrossing! with { Models = null } }, config.Path, [301], score, score);
        Assert.Equal(1, PhysicsConfigLoader.LoadDirectory(config.Path, catalog).For(Modality.Xray).Single(m => m.Id == "xr-tube-output").AfterCrossingDays!.Q50);
        Assert.DoesNotContain("this model's own days", File.ReadAllText(Path.Combine(config.Path, "xray.json")), StringComparison.Ordinal);
    }
}
