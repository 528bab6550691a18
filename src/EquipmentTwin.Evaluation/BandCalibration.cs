using System.Globalization;
using System.Text.Json.Serialization;
using MathNet.Numerics.Distributions;

namespace EquipmentTwin.Evaluation;

/// <summary>The calibrated model-form spread and what it rests on.</summary>
public sealed record BandCalibrationResult(double Spread, double SpreadUsed, int Forecasts, double Coverage, IReadOnlyList<int> Seeds, double CoverageBefore);

/// <summary>
/// The per-quantile band table and what it rests on: the held-out log errors ln(t/P50) it was read from. <paramref name="Models"/>:
/// one table per physics model that had at least the minimum number of forecasts (Mondrian calibration); the pooled
/// <paramref name="BandQuantiles"/> serves the others.
/// </summary>
public sealed record BandQuantileCalibration(
    IReadOnlyDictionary<string, double> BandQuantiles,
    int Forecasts,
    IReadOnlyList<int> Seeds,
    IReadOnlyDictionary<string, double> CoverageOnCalibration,
    IReadOnlyDictionary<string, ModelBandQuantiles>? Models = null,
    IReadOnlyDictionary<string, int>? PooledOnly = null,
    AfterCrossingCalibration? AfterCrossing = null,
    ForecastSet Set = ForecastSet.First,
    int Failures = 0,
    IReadOnlyList<AgedTable>? ByAge = null);

/// <summary>
/// The table for forecasts of evidence at least <paramref name="FromDays"/> old (up to the next one's), read from the
/// <paramref name="Forecasts"/> calibration errors of that age; <see cref="BandQuantileCalibration.BandQuantiles"/> then
/// serves the younger ones.
/// </summary>
public sealed record AgedTable(double FromDays, IReadOnlyDictionary<string, double> BandQuantiles, int Forecasts, IReadOnlyDictionary<string, double> CoverageOnCalibration);

/// <summary>
/// Which forecasts of each failure a table is read from and judged on: the first the alert carried, or every one an open
/// alert showed, sampled daily (<see cref="FaultScore.DailyBands"/>).
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<ForecastSet>))]
public enum ForecastSet
{
    First,
    Daily,
}

/// <summary>
/// One forecast's error as the tables read it: the failure it was for, its model, whether the crossing was already
/// observed, ln(t/P50) (days to the failure when crossed), and the age of its evidence: days since the model's evidence
/// began (<see cref="BandDto.AgeDays"/>), or since the view's first alert on the failure in reports without it.
/// </summary>
public readonly record struct ForecastError(string Fault, string Model, bool Crossed, double Value, double AgeDays = 0);

/// <summary>
/// Days from an observed threshold crossing (a forecast whose fit P50 was "now") to the failure, at each level, read
/// from the first forecasts of calibration failures like the log offsets; <paramref name="ByModel"/> counts them per model.
/// </summary>
public sealed record AfterCrossingCalibration(IReadOnlyDictionary<string, double> AfterCrossingDays, int Forecasts, IReadOnlyDictionary<string, int> ByModel,
    IReadOnlyDictionary<string, ModelAfterCrossing>? Models = null);

/// <summary>
/// One physics model's own after-crossing table, read from its <paramref name="Forecasts"/> crossed forecasts of
/// <paramref name="Failures"/> failures: how long a unit runs once its threshold is crossed is the model's physics (a
/// CT detector over temperature fails within days, an X-ray tube below its output limit can run for months).
/// </summary>
public sealed record ModelAfterCrossing(IReadOnlyDictionary<string, double> AfterCrossingDays, int Forecasts, int Failures);

/// <summary>One held-out run of a leave-one-seed-out check: its first forecasts (of which crossed) and the share each band held.</summary>
public sealed record HeldOutCoverage(int Seed, int Forecasts, int Crossed, IReadOnlyDictionary<string, double> Coverage);

/// <summary>
/// A leave-one-seed-out check: per held-out run, pooled over all, the median width of the 50 % band in ln time, and the
/// mean interval score of the held-out trend forecasts (<see cref="BandTableScore.IntervalScore"/>).
/// </summary>
public sealed record BandCrossValidation(IReadOnlyList<HeldOutCoverage> Seeds, IReadOnlyDictionary<string, double> Pooled, int Forecasts, double MedianWidth50, double IntervalScore = double.NaN);

/// <summary>One physics model's band table (keyed by model id) and the number of its calibration forecasts.</summary>
public sealed record ModelBandQuantiles(IReadOnlyDictionary<string, double> BandQuantiles, int Forecasts, double MedianError, IReadOnlyDictionary<string, double> CoverageOnCalibration);

/// <summary>
/// Split-conformal calibration of the physics band (Vovk et al. 2005; Lei et al. 2018): on backtests of
/// calibration seeds, each foreseen failure whose alert carried a physics forecast gives the model-form
/// log-spread s_i that would just have put the true crossing on the edge of the 80 % band
/// (|ln(t/P50)| = z₀.₉·√(s_fit² + s_i²), s_fit read back from the band by removing the spread it was made
/// with). The spread used from then on is the ⌈(n+1)·0.8⌉-th smallest s_i, so a new forecast exchangeable
/// with those lands in its 80 % band with probability ≥ 0.8.
/// </summary>
public static class BandCalibration
{
    private static readonly double Z90 = Normal.InvCDF(0, 1, 0.9);

    /// <summary>The fewest calibration errors a table for one age of evidence is read from.</summary>
    public const int MinPerAge = 20;

    /// <summary>
    /// Per-quantile split-conformal calibration (Vovk et al. 2005; one-sided conformal quantiles as in Romano et al.
    /// 2019): the held-out errors e_i = ln(t_i/P50_i) of every foreseen failure whose alert carried a trend forecast,
    /// P50 being the fit's own (<see cref="BandDto.FitP50"/> when the run published a calibrated table; Weibull
    /// forecasts, whose quantiles come from their survival law, are left out). The offset of level q is the e value at
    /// rank (n+1)q, interpolated between neighbouring ranks (clamped to the first and last): a new error exchangeable
    /// with the n falls below the k-th smallest with probability k/(n+1), so each central band holds its level in
    /// expectation. (Rounding the rank outward, as the classic conformal interval does, holds at least the level but
    /// overshoots by up to 2/(n+1): 10–20 points on the 50 % band of a model with 10–20 forecasts.)
    /// <para>
    /// With <paramref name="minPerModel"/>, the calibration is also made per physics model (Mondrian conformal
    /// prediction, Vovk et al. 2005, ch. 4): the errors of different laws differ in bias as well as spread (bearing
    /// fits early by a factor of 3–10, cold-head fits late by 1.6–2.9), so one pooled table is a mixture whose central
    /// half holds some models' failures every time and others' never. Models with fewer forecasts keep the pooled table.
    /// With 149 calibration forecasts (round 4) the per-model tables held their levels less steadily across held-out seeds
    /// than the pooled one. With 321 (round 7) they held the first forecasts as well at a third lower interval score, but
    /// the later forecasts of the same failures far less well (their errors are not those of the first), so the shipped
    /// config keeps the pooled table (docs/models-physics.md).
    /// </para>
    /// <para>
    /// With <paramref name="centered"/> as well, a model's table is its own median error plus the pooled quantiles of every
    /// such model's errors about its own median: each model keeps its bias, and the spread around it is read from all of
    /// them together (a shared shape, the way a pooled table is, but not a mixture of biases). A model's own quantiles
    /// rest on its 10–40 forecasts; this table's spread rests on all of them, and only its centre on the model's own.
    /// </para>
    /// <para>
    /// First forecasts made when the crossing had already been observed (fit P50 "now") have no log error; the days from
    /// them to the failure give the after-crossing table (<see cref="AfterCrossingCalibration"/>, pooled over models).
    /// </para>
    /// </summary>
    public static BandQuantileCalibration CalibrateQuantiles(IReadOnlyList<BacktestReport> calibrationRuns, string view = "physics", int? minPerModel = null, bool centered = false,
        ForecastSet set = ForecastSet.First, IReadOnlyList<double>? ageDays = null, int? afterCrossingPerModel = null)
    {
        if (centered && minPerModel is null)
        {
            throw new ArgumentException("centered tables are per model: give the minimum number of forecasts per model", nameof(centered));
        }

        ageDays ??= [];
        if (ageDays.Count > 0 && minPerModel is not null)
        {
            throw new ArgumentException("tables by age are pooled over models: not with tables per model", nameof(ageDays));
        }

        if (ageDays.Any(a => !double.IsFinite(a) || a <= 0) || ageDays.Zip(ageDays.Skip(1)).Any(p => p.Second <= p.First))
        {
            throw new ArgumentException("ages must be positive days, rising", nameof(ageDays));
        }

        var errors = new List<(string Model, double Error, double Age)>();
        var crossed = new List<(string Model, double Days, string Fault)>();
        var all = Forecasts(calibrationRuns, view, set).ToList();
        var failures = all.Select(f => f.Fault).Distinct(StringComparer.Ordinal).Count();
        foreach (var f in all)
        {
            if (f.Crossed)
            {
                crossed.Add((f.Model, f.Value, f.Fault));
            }
            else
            {
                errors.Add((f.Model, f.Value, f.AgeDays));
            }
        }

        var seeds = calibrationRuns.Select(r => r.Seed).ToArray();
        AfterCrossingCalibration? after = null;
        SortedDictionary<string, ModelAfterCrossing>? ownAfter = null;
        if (afterCrossingPerModel is { } minFailures)
        {
            ownAfter = new SortedDictionary<string, ModelAfterCrossing>(StringComparer.Ordinal);
            foreach (var g in crossed.GroupBy(c => c.Model))
            {
                var n = g.Select(c => c.Fault).Distinct(StringComparer.Ordinal).Count();
                if (n >= Math.Max(3, minFailures))
                {
                    ownAfter[g.Key] = new ModelAfterCrossing(Table(g.Select(c => c.Days)).Table, g.Count(), n);
                }
            }
        }

        // The pooled table is read from the models without their own, or from all when too few of those are left.
        var rest = crossed.Where(c => ownAfter?.ContainsKey(c.Model) != true).ToList();
        var pooledFrom = rest.Count >= 3 ? rest : crossed;
        if (pooledFrom.Count >= 3)
        {
            var days = Table(pooledFrom.Select(c => c.Days)).Table;
            after = new AfterCrossingCalibration(days, pooledFrom.Count,
                new SortedDictionary<string, int>(pooledFrom.GroupBy(c => c.Model).ToDictionary(g => g.Key, g => g.Count()), StringComparer.Ordinal),
                ownAfter is { Count: > 0 } ? ownAfter : null);
        }

        if (errors.Count < 3)
        {
            throw new InvalidOperationException($"{errors.Count} forecasts of failures in the calibration runs: too few to calibrate quantiles");
        }

        if (ageDays.Count > 0)
        {
            // The youngest evidence gets the file's table, each later age its own, each read from the errors of that age only.
            var edges = ageDays.Append(double.PositiveInfinity).ToArray();
            var young = errors.Where(e => e.Age < edges[0]).Select(e => e.Error).ToList();
            var aged = new List<AgedTable>();
            foreach (var (from, i) in ageDays.Select((a, i) => (a, i)))
            {
                var bin = errors.Where(e => e.Age >= from && e.Age < edges[i + 1]).Select(e => e.Error).ToList();
                var t = bin.Count >= MinPerAge ? Table(bin) : throw new InvalidOperationException(
                    string.Create(CultureInfo.InvariantCulture, $"{bin.Count} forecasts of evidence {from}–{edges[i + 1]} days old in the calibration runs: too few to calibrate a table for that age (at least {MinPerAge})"));
                aged.Add(new AgedTable(from, t.Table, bin.Count, t.Coverage));
            }

            var first = young.Count >= MinPerAge ? Table(young) : throw new InvalidOperationException(
                string.Create(CultureInfo.InvariantCulture, $"{young.Count} forecasts of evidence younger than {edges[0]} days in the calibration runs: too few to calibrate a table for that age (at least {MinPerAge})"));
            return new BandQuantileCalibration(first.Table, errors.Count, seeds, first.Coverage, AfterCrossing: after, Set: set, Failures: failures, ByAge: aged);
        }

        var pooled = Table(errors.Select(e => e.Error));
        if (minPerModel is not { } min)
        {
            return new BandQuantileCalibration(pooled.Table, errors.Count, seeds, pooled.Coverage, AfterCrossing: after, Set: set, Failures: failures);
        }

        var groups = errors.GroupBy(e => e.Model).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        var models = new SortedDictionary<string, ModelBandQuantiles>(StringComparer.Ordinal);
        var pooledOnly = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var own = new List<(string Model, List<double> Errors, double Median)>();
        foreach (var g in groups)
        {
            if (g.Count() < Math.Max(3, min))
            {
                pooledOnly[g.Key] = g.Count();
                continue;
            }

            var sorted = g.Select(e => e.Error).Order().ToList();
            own.Add((g.Key, sorted, RankQuantile(sorted, 0.5)));
        }

        var shape = centered && own.Count > 0 ? Table(own.SelectMany(o => o.Errors.Select(e => e - o.Median))) : default;
        foreach (var (model, e, median) in own)
        {
            if (!centered)
            {
                var t = Table(e);
                models[model] = new ModelBandQuantiles(t.Table, e.Count, Math.Round(t.Median, 4), t.Coverage);
                continue;
            }

            var table = shape.Table.ToDictionary(kv => kv.Key, kv => Math.Round(median + kv.Value, 4));
            models[model] = new ModelBandQuantiles(table, e.Count, Math.Round(median, 4), Coverage(e, [.. Levels.Select(l => table[l])]));
        }

        return new BandQuantileCalibration(pooled.Table, errors.Count, seeds, pooled.Coverage, models, pooledOnly, after, set, failures);
    }

    /// <summary>
    /// Leave-one-seed-out check of <see cref="CalibrateQuantiles"/>: each run is held out in turn, the tables are
    /// calibrated on the others and the held-out run's first forecasts scored against them (trend forecasts by their log
    /// error against the offsets, crossed ones by their days against the after-crossing table, or outside every band
    /// when there is none). The fit's own spread, which can widen a published band, is not used, so the figures are
    /// those of the tables alone.
    /// </summary>
    public static BandCrossValidation CrossValidate(IReadOnlyList<BacktestReport> runs, string view = "physics", int? minPerModel = null, bool centered = false,
        ForecastSet set = ForecastSet.First, IReadOnlyList<double>? ageDays = null, int? afterCrossingPerModel = null)
    {
        if (runs.Count < 2)
        {
            throw new InvalidOperationException("a leave-one-seed-out check needs at least two runs");
        }

        var seeds = new List<HeldOutCoverage>();
        var widths = new List<double>();
        var total = new int[3]; // 50, 80, 90 %
        var n = 0;
        var (scored, scoreSum) = (0, 0.0);
        for (var i = 0; i < runs.Count; i++)
        {
            var tables = BandTablePromotion.Of(CalibrateQuantiles([.. runs.Where((_, k) => k != i)], view, minPerModel, centered, set, ageDays, afterCrossingPerModel));
            var held = Forecasts([runs[i]], view, set).ToList();
            var (count, covered) = BandTablePromotion.Count(held, tables);
            widths.AddRange(held.Where(f => !f.Crossed).Select(f => tables(f.Model, f.AgeDays).Trend is { } t ? t["0.75"] - t["0.25"] : double.NaN));
            var (scores, sum) = BandTablePromotion.IntervalScores(held, tables);
            (scored, scoreSum) = (scored + scores, scoreSum + sum);

            for (var b = 0; b < total.Length; b++)
            {
                total[b] += covered[b];
            }

            n += count;
            seeds.Add(new HeldOutCoverage(runs[i].Seed, count, held.Count(f => f.Crossed), Shares(covered, count)));
        }

        widths.Sort();
        return new BandCrossValidation(seeds, Shares(total, n), n, widths.Count == 0 ? double.NaN : Math.Round(BacktestScorer.Quantile(widths, 0.5), 3),
            scored == 0 ? double.NaN : Math.Round(scoreSum / scored, 4));
    }

    private static Dictionary<string, double> Shares(int[] covered, int n) =>
        new[] { "50", "80", "90" }.Select((level, i) => (level, share: n == 0 ? double.NaN : Math.Round((double)covered[i] / n, 3))).ToDictionary(x => x.level, x => x.share);

    /// <summary>
    /// The first forecast of every failure in the runs that carried a trend forecast (Weibull forecasts left out), or with
    /// <see cref="ForecastSet.Daily"/> every trend forecast its open alerts showed: the log error ln(t/P50) from the fit's
    /// own P50, or, when the fit said the crossing was already observed, the days to the failure.
    /// </summary>
    internal static IEnumerable<ForecastError> Forecasts(IEnumerable<BacktestReport> runs, string view, ForecastSet set = ForecastSet.First)
    {
        foreach (var run in runs)
        {
            foreach (var f in run.Faults)
            {
                if (f.Failure is null)
                {
                    continue;
                }

                var firstAlert = f.FirstAlert.GetValueOrDefault(view);
                IEnumerable<(BandDto Band, string Computed)> shown;
                if (set == ForecastSet.First)
                {
                    var computed = f.Band.TryGetValue(view, out var band) ? band?.Computed ?? firstAlert : null;
                    shown = band is null || computed is null ? [] : [(band, computed)];
                }
                else
                {
                    if (f.DailyBands is null)
                    {
                        throw new InvalidOperationException($"the report of seed {run.Seed} lists no daily forecasts (written before reports carried them): run twin evaluate on it again");
                    }

                    shown = f.DailyBands.GetValueOrDefault(view)?.Where(b => b.Computed is not null).Select(b => (b, b.Computed!)) ?? [];
                }

                foreach (var (band, computed) in shown)
                {
                    if (band.Model.StartsWith("weibull-usage:", StringComparison.Ordinal))
                    {
                        continue;
                    }

                    var at = Ms(computed);
                    double d50 = Ms(band.FitP50 ?? band.P50) - at, t = Ms(f.Failure) - at;
                    if (t > 0)
                    {
                        var key = string.Create(CultureInfo.InvariantCulture, $"{run.Seed}/{f.Id}");
                        // The age the engine chose the table by; reports written before forecasts carried it: days since the view's first alert.
                        var age = band.AgeDays ?? (firstAlert is null ? 0 : Math.Max(0, (at - Ms(firstAlert)) / 86_400_000.0));
                        yield return d50 > 0 ? new ForecastError(key, ModelId(band.Model), false, Math.Log(t / d50), age) : new ForecastError(key, ModelId(band.Model), true, t / 86_400_000.0, age);
                    }
                }
            }
        }
    }

    /// <summary>The model id of a forecast's <c>law:id</c> model name.</summary>
    public static string ModelId(string model) => model.IndexOf(':', StringComparison.Ordinal) is var i and >= 0 ? model[(i + 1)..] : model;

    /// <summary>The value at rank (n+1)q among sorted values, interpolated between ranks and clamped to the first and last.</summary>
    public static double RankQuantile(IReadOnlyList<double> sorted, double q)
    {
        var pos = Math.Clamp((sorted.Count + 1) * q, 1, sorted.Count);
        var lo = (int)Math.Floor(pos);
        var hi = Math.Min(lo + 1, sorted.Count);
        return sorted[lo - 1] + (pos - lo) * (sorted[hi - 1] - sorted[lo - 1]);
    }

    private static (Dictionary<string, double> Table, Dictionary<string, double> Coverage, double Median) Table(IEnumerable<double> values)
    {
        var e = values.Order().ToList();
        var offsets = Analytics.Physics.BandQuantiles.Levels.Select(q => RankQuantile(e, q)).ToArray();
        var table = Levels.Zip(offsets).ToDictionary(p => p.First, p => Math.Round(p.Second, 4));
        return (table, Coverage(e, offsets), offsets[3]);
    }

    /// <summary>The table keys: the levels 0.05 … 0.95 as config/physics writes them.</summary>
    private static readonly string[] Levels = [.. Analytics.Physics.BandQuantiles.Levels.Select(l => l.ToString("0.00", CultureInfo.InvariantCulture))];

    /// <summary>Share of <paramref name="errors"/> inside the 50, 80 and 90 % bands of <paramref name="offsets"/> (in level order).</summary>
    private static Dictionary<string, double> Coverage(IReadOnlyList<double> errors, IReadOnlyList<double> offsets)
    {
        double Covered(int lo, int hi) => Math.Round((double)errors.Count(x => x >= offsets[lo] && x <= offsets[hi]) / errors.Count, 3);
        return new Dictionary<string, double> { ["50"] = Covered(2, 4), ["80"] = Covered(1, 5), ["90"] = Covered(0, 6) };
    }

    private static double Ms(string t) => DateTimeOffset.Parse(t, CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();

    public static BandCalibrationResult Calibrate(IReadOnlyList<BacktestReport> calibrationRuns, double spreadUsed, string view = "physics", double coverage = 0.8)
    {
        var needed = new List<double>();
        var inside = 0;
        foreach (var run in calibrationRuns)
        {
            foreach (var f in run.Faults)
            {
                // Reports written before the computation time was recorded: the forecast came with the alert's first naming.
                var computed = f.Band.TryGetValue(view, out var band) ? band?.Computed ?? f.FirstAlert.GetValueOrDefault(view) : null;
                if (f.Failure is null || band is null || computed is null)
                {
                    continue;
                }

                var at = Ms(computed);
                double d50 = Ms(band.P50) - at, d90 = Ms(band.P90) - at, t = Ms(f.Failure) - at;
                if (d50 <= 0 || d90 <= d50 || t <= 0)
                {
                    continue;
                }

                var total = Math.Log(d90 / d50) / Z90;
                var fit2 = Math.Max(0, total * total - spreadUsed * spreadUsed);
                var z = Math.Log(t / d50) / Z90;
                needed.Add(Math.Sqrt(Math.Max(0, z * z - fit2)));
                inside += Math.Abs(Math.Log(t / d50)) <= Z90 * total ? 1 : 0;
            }
        }

        if (needed.Count == 0)
        {
            return new BandCalibrationResult(spreadUsed, spreadUsed, 0, double.NaN, calibrationRuns.Select(r => r.Seed).ToArray(), double.NaN);
        }

        needed.Sort();
        var rank = Math.Min(needed.Count, (int)Math.Ceiling((needed.Count + 1) * coverage));
        var spread = needed[rank - 1];
        return new BandCalibrationResult(Math.Round(spread, 3), spreadUsed, needed.Count, Math.Round((double)needed.Count(s => s <= spread) / needed.Count, 3),
            calibrationRuns.Select(r => r.Seed).ToArray(), Math.Round((double)inside / needed.Count, 3));
    }
}
