using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using EquipmentTwin.Analytics.Physics;
using EquipmentTwin.Core.Catalog;

namespace EquipmentTwin.Evaluation;

/// <summary>
/// How the first forecasts of validation runs fared against one set of band tables. <paramref name="IntervalScore"/>: the
/// mean interval score (Gneiting and Raftery 2007) of the 50, 80 and 90 % bands over the trend forecasts, in ln time: the
/// band's width plus 2/α times how far outside it the failure fell (α = 1 − level), so lower is better.
/// <paramref name="Calibrated"/>: every band's coverage lies within z₀.₉₅·√(p(1 − p)(1/n + 1/m)) of its level p, n the
/// forecasts scored and m those the tables were read from: as close as a table read from m errors lands on n new ones
/// nine times in ten.
/// </summary>
public sealed record BandTableScore(int Forecasts, IReadOnlyDictionary<string, double> Coverage, double Distance, double IntervalScore = double.NaN, bool Calibrated = false);

/// <summary>The candidate and the current tables scored on the same validation runs, and whether the candidate replaces the current.</summary>
public sealed record BandTableValidation(IReadOnlyList<int> Seeds, BandTableScore Candidate, BandTableScore Current, bool Promoted, string? Written);

/// <summary>
/// The band tables' step of the calibrate–validate–improve loop, judged on the validation runs' first forecasts: sharpness
/// subject to calibration (Gneiting, Balabdaoui and Raftery 2007). New tables replace those in config/physics when their
/// coverage is calibrated (<see cref="BandTableScore.Calibrated"/>) and their mean interval score is no higher than the
/// current tables', or the current ones are not calibrated. The interval score is a proper scoring rule, but on its own
/// it can prefer a band centred well and far too narrow to a calibrated wide one; the calibration check keeps such
/// tables out. When neither is calibrated, the one closer to the levels (mean |coverage − level| over the three bands)
/// wins. Both are scored alike, from the fit's own P50 each report carries, without the fit's own spread. Tables are
/// read from and judged on the same forecasts (<see cref="BandQuantileCalibration.Set"/>): the first of each failure, or
/// every forecast an open alert showed (<see cref="ForecastSet.Daily"/>). The later forecasts of a failure can err
/// differently from its first (per-model tables that passed this gate on first forecasts held 0.45–0.63 of the daily
/// forecasts at 80 %, docs/models.md round 7).
/// </summary>
public static class BandTablePromotion
{
    private static readonly (string Name, int Lo, int Hi, double Level)[] Bands = [("50", 2, 4, 0.5), ("80", 1, 5, 0.8), ("90", 0, 6, 0.9)];

    private static readonly double Z95 = MathNet.Numerics.Distributions.Normal.InvCDF(0, 1, 0.95);

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The tables a model id gets for a forecast of evidence <c>ageDays</c> old: its trend table and its after-crossing table (either may be missing).</summary>
    public delegate (IReadOnlyDictionary<string, double>? Trend, IReadOnlyDictionary<string, double>? AfterCrossing) TablesFor(string modelId, double ageDays);

    /// <summary>The tables of a calibration: the one for the evidence's age, else a model's own table, else the pooled one; a model's own after-crossing table, else the pooled one.</summary>
    public static TablesFor Of(BandQuantileCalibration c) =>
        (model, age) => (AgedBandQuantiles.Reached(c.ByAge ?? [], t => t.FromDays, age)?.BandQuantiles ?? c.Models?.GetValueOrDefault(model)?.BandQuantiles ?? c.BandQuantiles,
            c.AfterCrossing?.Models?.GetValueOrDefault(model)?.AfterCrossingDays ?? c.AfterCrossing?.AfterCrossingDays);

    /// <summary>The tables each model of a loaded physics config publishes (the loader's precedence: a model's own, else its file's, for the evidence's age).</summary>
    public static TablesFor Of(PhysicsConfig config)
    {
        // Each table read into a dictionary once, not once per forecast; the age chooses among them as the engine does.
        var byModel = config.Modalities.SelectMany(config.For).ToDictionary(m => m.Id,
            m => (Base: Table(m.BandQuantiles), Later: m.LaterBandQuantiles.Select(t => new AgedOffsets(t.FromDays, Table(t.Table)!)).ToList(), After: Table(m.AfterCrossingDays)), StringComparer.Ordinal);
        return (model, age) => byModel.TryGetValue(model, out var m)
            ? (AgedBandQuantiles.Reached(m.Later, t => t.FromDays, age)?.Table ?? m.Base, m.After)
            : default;
    }

    /// <summary>Coverage of the first forecasts of <paramref name="runs"/> by <paramref name="tables"/>; a forecast with no table is "now" and outside every band.</summary>
    /// <remarks>
    /// With <see cref="ForecastSet.Daily"/> the forecasts of one failure are not independent (a few dozen shown days of the
    /// same fit), so the calibration tolerance counts failures, not forecasts: n and m are then the numbers of failures.
    /// </remarks>
    public static BandTableScore Score(IEnumerable<BacktestReport> runs, TablesFor tables, string view = "physics", int? calibrationForecasts = null, ForecastSet set = ForecastSet.First)
    {
        var forecasts = BandCalibration.Forecasts(runs, view, set).ToList();
        var (n, covered) = Count(forecasts, tables);
        var coverage = Bands.Select((b, i) => (b.Name, Share: n == 0 ? double.NaN : Math.Round((double)covered[i] / n, 3))).ToDictionary(c => c.Name, c => c.Share);
        var inverseM = calibrationForecasts is { } m and > 0 ? 1.0 / m : 0;
        var effective = set == ForecastSet.First ? n : forecasts.Select(f => f.Fault).Distinct(StringComparer.Ordinal).Count();
        var calibrated = n > 0 && Bands.Select((b, i) => Math.Abs((double)covered[i] / n - b.Level) <= Z95 * Math.Sqrt(b.Level * (1 - b.Level) * (1.0 / effective + inverseM)) + 1e-9).All(ok => ok);
        return new BandTableScore(n, coverage, n == 0 ? double.NaN : Math.Round(Bands.Average(b => Math.Abs(coverage[b.Name] - b.Level)), 4),
            IntervalScores(forecasts, tables) is (> 0 and var count, var sum) ? Math.Round(sum / count, 4) : double.NaN, calibrated);
    }

    /// <summary>Whether <paramref name="candidate"/> replaces <paramref name="current"/>: sharpness subject to calibration (see the class summary).</summary>
    public static bool Better(BandTableScore candidate, BandTableScore current) =>
        candidate.Calibrated
            ? !current.Calibrated || !(candidate.IntervalScore > current.IntervalScore)
            : !current.Calibrated && candidate.Distance <= current.Distance;

    /// <summary>How many interval scores (a trend forecast and a band, in ln time, over the 50/80/90 % bands) there were and their sum.</summary>
    internal static (int Count, double Sum) IntervalScores(IEnumerable<ForecastError> forecasts, TablesFor tables)
    {
        double sum = 0;
        var n = 0;
        foreach (var f in forecasts.Where(f => !f.Crossed))
        {
            if (tables(f.Model, f.AgeDays).Trend is not { } table)
            {
                continue;
            }

            foreach (var b in Bands)
            {
                double lo = table[Key(b.Lo)], hi = table[Key(b.Hi)], alpha = 1 - b.Level;
                sum += hi - lo + 2 / alpha * (Math.Max(0, lo - f.Value) + Math.Max(0, f.Value - hi));
                n++;
            }
        }

        return (n, sum);
    }

    private static string Key(int level) => Analytics.Physics.BandQuantiles.Levels[level].ToString("0.00", CultureInfo.InvariantCulture);

    /// <summary>How many of the first forecasts each band (50, 80, 90 %) held, and how many there were.</summary>
    internal static (int Forecasts, int[] Covered) Count(IEnumerable<ForecastError> forecasts, TablesFor tables)
    {
        var covered = new int[Bands.Length];
        var n = 0;
        foreach (var f in forecasts)
        {
            n++;
            var (trend, after) = tables(f.Model, f.AgeDays);
            if ((f.Crossed ? after : trend) is not { } table)
            {
                continue;
            }

            double Offset(int k) => table[Key(k)];
            for (var i = 0; i < Bands.Length; i++)
            {
                covered[i] += f.Value >= Offset(Bands[i].Lo) && f.Value <= Offset(Bands[i].Hi) ? 1 : 0;
            }
        }

        return (n, covered);
    }

    /// <summary>Scores the candidate and the current tables on the validation runs; writes the candidate into the folder when it validates at least as well and <paramref name="write"/> is set.</summary>
    public static BandTableValidation Validate(BandQuantileCalibration candidate, string configDirectory, SignalCatalog catalog, IReadOnlyList<BacktestReport> validationRuns, bool write, string view = "physics")
    {
        var calibrationSeeds = candidate.Seeds.ToHashSet();
        if (validationRuns.FirstOrDefault(r => calibrationSeeds.Contains(r.Seed)) is { } overlap)
        {
            throw new InvalidOperationException($"seed {overlap.Seed} is both a calibration and a validation run: a table cannot be judged on the data it was read from");
        }

        // Both judged against the noise of a table read from as many errors (failures, for daily forecasts) as the candidate's.
        var m = candidate.Set == ForecastSet.First ? candidate.Forecasts : candidate.Failures;
        var cand = Score(validationRuns, Of(candidate), view, m, candidate.Set);
        var current = Score(validationRuns, Of(PhysicsConfigLoader.LoadDirectory(configDirectory, catalog)), view, m, candidate.Set);
        if (cand.Forecasts == 0)
        {
            throw new InvalidOperationException($"no {(candidate.Set == ForecastSet.First ? "first" : "daily")} forecast of a failure in the validation runs: nothing to judge the tables on");
        }

        var promoted = Better(cand, current);
        string? written = null;
        if (promoted && write)
        {
            Write(candidate, configDirectory, validationRuns.Select(r => r.Seed).ToArray(), cand, current);
            written = configDirectory;
        }

        return new BandTableValidation(validationRuns.Select(r => r.Seed).ToArray(), cand, current, promoted, written);
    }

    /// <summary>Writes the calibration's tables into every physics config file of the folder: the pooled tables at the top, a model's own table in its entry (removed where the calibration has none).</summary>
    public static void Write(BandQuantileCalibration c, string configDirectory, IReadOnlyList<int> validationSeeds, BandTableScore candidate, BandTableScore current)
    {
        string Seeds(IEnumerable<int> seeds) => string.Join(", ", seeds);
        var note = string.Create(CultureInfo.InvariantCulture,
            $"twin calibrate-bands --quantiles{(c.Set == ForecastSet.Daily ? " --forecasts daily" : "")} on {c.Forecasts} {(c.Set == ForecastSet.Daily ? $"daily trend forecasts of {c.Failures}" : "trend forecasts of")} failures, calibration seeds {Seeds(c.Seeds)}; on validation seeds {Seeds(validationSeeds)} its bands held {candidate.Coverage["50"]}/{candidate.Coverage["80"]}/{candidate.Coverage["90"]} of {candidate.Forecasts} {(c.Set == ForecastSet.Daily ? "daily" : "first")} forecasts, interval score {candidate.IntervalScore} (the tables it replaced: {current.Coverage["50"]}/{current.Coverage["80"]}/{current.Coverage["90"]}, {current.IntervalScore})");
        foreach (var file in Directory.EnumerateFiles(configDirectory, "*.json").Order(StringComparer.Ordinal))
        {
            var root = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
            Set(root, "bandQuantiles", c.BandQuantiles, "bandQuantilesCalibration", c.ByAge is { Count: > 0 } aged
                ? string.Create(CultureInfo.InvariantCulture, $"the table for evidence younger than {aged[0].FromDays} d, read from the {c.Forecasts - aged.Sum(t => t.Forecasts)} {(c.Set == ForecastSet.Daily ? "daily " : "")}trend forecasts of that age; {note}")
                : note);
            SetByAge(root, c, note);
            Set(root, "afterCrossingDays", c.AfterCrossing?.AfterCrossingDays, "afterCrossingCalibration",
                c.AfterCrossing is { } a ? $"days from an observed crossing to the failure, from the {a.Forecasts} {(c.Set == ForecastSet.Daily ? "daily" : "first")} forecasts made after the crossing in the same calibration runs" : null);
            foreach (var model in root["models"]?.AsArray() ?? [])
            {
                if (model is JsonObject m && m["law"]?.GetValue<string>() != "weibull-usage" && m["id"]?.GetValue<string>() is { } id)
                {
                    var own = c.Models?.GetValueOrDefault(id);
                    Set(m, "bandQuantiles", own?.BandQuantiles, "bandQuantilesCalibration",
                        own is null ? null : string.Create(CultureInfo.InvariantCulture, $"this model's own table from its {own.Forecasts} forecasts in the same calibration runs"));
                    var ownAfter = c.AfterCrossing?.Models?.GetValueOrDefault(id);
                    Set(m, "afterCrossingDays", ownAfter?.AfterCrossingDays, "afterCrossingCalibration",
                        ownAfter is null ? null : string.Create(CultureInfo.InvariantCulture, $"this model's own days from an observed crossing to the failure, from its {ownAfter.Forecasts} {(c.Set == ForecastSet.Daily ? "daily" : "first")} forecasts made after the crossing, {ownAfter.Failures} failures, in the same calibration runs"));
                }
            }

            var temp = file + ".tmp";
            File.WriteAllText(temp, root.ToJsonString(Indented) + "\n");
            File.Move(temp, file, overwrite: true);
        }
    }

    private static void SetByAge(JsonObject root, BandQuantileCalibration c, string note)
    {
        if (c.ByAge is not { Count: > 0 } aged)
        {
            root.Remove("bandQuantilesByAge");
            root.Remove("bandQuantilesByAgeCalibration");
            return;
        }

        var list = new JsonArray();
        foreach (var t in aged)
        {
            var entry = new JsonObject { ["fromDays"] = t.FromDays };
            Set(entry, "bandQuantiles", t.BandQuantiles, "forecasts", null);
            entry["forecasts"] = t.Forecasts;
            list.Add(entry);
        }

        root["bandQuantilesByAge"] = list;
        root["bandQuantilesByAgeCalibration"] = string.Create(CultureInfo.InvariantCulture,
            $"bandQuantiles serves evidence younger than {aged[0].FromDays} d since it began; each table here from its fromDays on (days since the evidence began), read from the {(c.Set == ForecastSet.Daily ? "daily " : "")}forecasts of that age only; {note}");
    }

    private static void Set(JsonObject node, string field, IReadOnlyDictionary<string, double>? table, string noteField, string? note)
    {
        if (table is null)
        {
            node.Remove(field);
            node.Remove(noteField);
            return;
        }

        var obj = new JsonObject();
        foreach (var level in Analytics.Physics.BandQuantiles.Levels)
        {
            var key = level.ToString("0.00", CultureInfo.InvariantCulture);
            obj[key] = table[key];
        }

        node[field] = obj;
        node[noteField] = note;
    }

    private sealed record AgedOffsets(double FromDays, IReadOnlyDictionary<string, double> Table);

    private static IReadOnlyDictionary<string, double>? Table(Analytics.Physics.BandQuantiles? table) =>
        table?.Offsets.Select((o, i) => (Key: Analytics.Physics.BandQuantiles.Levels[i].ToString("0.00", CultureInfo.InvariantCulture), o)).ToDictionary(p => p.Key, p => p.o);
}
