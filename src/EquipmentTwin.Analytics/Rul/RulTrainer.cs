using EquipmentTwin.Core.Progress;
using Microsoft.ML;
using Microsoft.ML.Trainers.FastTree;

namespace EquipmentTwin.Analytics.Rul;

/// <summary>
/// Learns remaining useful life from run-to-failure histories. Whole units are split (seeded) into fitting,
/// calibration and validation sets. On the fitting units: regime settings are found and sensors normalised per
/// regime; constant, mostly empty and uninformative columns are dropped; an ML.NET FastTree regression (MART,
/// Friedman 2001) learns RUL from windowed features. The calibration units set the interval
/// (<see cref="RulCalibration"/>); the validation units, seen by neither, give the figures.
/// </summary>
public static class RulTrainer
{
    /// <summary>Below this |Pearson r| between a normalised sensor and RUL, the sensor is taken to carry no information.</summary>
    private const double MinCorrelation = 0.05;

    public static RulModel Fit(RulHistory history, RulTrainingOptions? options = null, IJobProgress? progress = null)
    {
        ArgumentNullException.ThrowIfNull(history);
        options ??= new RulTrainingOptions();
        var n = history.Units.Count;
        if (n < RulTrainingOptions.MinUnits)
        {
            throw new RulDataException($"{history.Source}: {n} unit(s); training needs at least {RulTrainingOptions.MinUnits} units run to failure (2 to fit, 2 to calibrate the interval, 2 to validate)");
        }

        var (train, calibration, validation) = Split(history.Units, options);
        progress?.Step($"choosing features on {train.Count} units");
        var columnIndex = history.FeatureNames.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i, StringComparer.Ordinal);
        var spec = Analyse(history.FeatureNames, train, columnIndex, options);

        var ml = new MLContext(seed: options.Seed);
        var rows = new List<RulModel.Row>();
        foreach (var unit in train)
        {
            var features = new RulUnitFeatures(unit, spec, columnIndex);
            foreach (var i in Evenly(unit.Rows - 1, options.MaxRowsPerUnit))
            {
                rows.Add(new RulModel.Row { Label = (float)(unit.End - unit.Times[i]), Features = features.At(i) });
            }
        }

        progress?.Step($"training {options.Trees} trees on {rows.Count:N0} rows of {spec.FeatureNames.Length} features");
        var schema = RulModel.InputSchema(spec.FeatureNames.Length);
        var data = ml.Data.LoadFromEnumerable(rows, schema);
        var trainer = ml.Regression.Trainers.FastTree(new FastTreeRegressionTrainer.Options
        {
            LabelColumnName = RulModel.LabelColumn,
            FeatureColumnName = RulModel.FeaturesColumn,
            NumberOfTrees = options.Trees,
            NumberOfLeaves = options.Leaves,
            MinimumExampleCountPerLeaf = Math.Clamp(rows.Count / 100, 2, 20),
            LearningRate = options.LearningRate,
        });
        var transformer = trainer.Fit(data);
        var model = new RulModel(ml, transformer, data.Schema, spec, null);

        // Calibrate the interval on units the trees never saw.
        progress?.Step($"calibrating the interval on {calibration.Count} units");
        var scale = 0.1 * spec.TimeScale;
        var residuals = new List<(double P, double R, double W)>();
        foreach (var unit in calibration)
        {
            var cuts = Evenly(unit.Rows - 2, options.CutPointsPerUnit);
            var predicted = model.PredictRaw(new RulUnitFeatures(unit, spec, columnIndex), cuts);
            for (var j = 0; j < cuts.Length; j++)
            {
                var p = Math.Max(0, predicted[j]);
                residuals.Add((p, (unit.End - unit.Times[cuts[j]] - p) / (p + scale), 1.0 / cuts.Length));
            }
        }

        var calibrated = spec with { Calibration = Calibrate(residuals, scale, calibration.Count) };
        model = new RulModel(ml, transformer, data.Schema, calibrated, null);

        progress?.Step($"validating on {validation.Count} held-out units");
        var figures = Validate(model, validation, columnIndex, options);
        var lifetimes = history.Units.Select(u => u.End - u.Start).Order().ToArray();
        var info = new RulModelInfo
        {
            TrainingFile = history.Source,
            TrainingSha256 = history.Sha256,
            Units = n,
            Rows = history.Rows,
            TimeFrom = history.Units.Min(u => u.Start),
            TimeTo = history.Units.Max(u => u.End),
            LifetimeMin = lifetimes[0],
            LifetimeMedian = lifetimes[lifetimes.Length / 2],
            LifetimeMax = lifetimes[^1],
            Seed = options.Seed,
            TrainUnits = train.Select(u => u.Id).ToArray(),
            CalibrationUnits = calibration.Select(u => u.Id).ToArray(),
            ValidationUnits = validation.Select(u => u.Id).ToArray(),
            TrainingRows = rows.Count,
            Validation = figures,
        };
        return new RulModel(ml, transformer, data.Schema, calibrated, info);
    }

    /// <summary>Accuracy of <paramref name="model"/> on units with known failure times, at evenly spaced cut points, each unit weighted equally.</summary>
    public static RulValidation Validate(RulModel model, IReadOnlyList<RulUnit> units, IReadOnlyDictionary<string, int> columnIndex, RulTrainingOptions options)
    {
        double sq = 0, abs = 0, covered = 0, width = 0, truth = 0;
        var points = 0;
        foreach (var unit in units)
        {
            var cuts = Evenly(unit.Rows - 2, options.CutPointsPerUnit);
            var bands = model.PredictAt(new RulUnitFeatures(unit, model.Spec, columnIndex), cuts);
            double usq = 0, uabs = 0, ucov = 0, uwidth = 0, utruth = 0;
            for (var j = 0; j < cuts.Length; j++)
            {
                var y = unit.End - unit.Times[cuts[j]];
                var (p10, p50, p90) = bands[j];
                usq += (p50 - y) * (p50 - y);
                uabs += Math.Abs(p50 - y);
                ucov += y >= p10 && y <= p90 ? 1 : 0;
                uwidth += p90 - p10;
                utruth += y;
            }

            sq += usq / cuts.Length;
            abs += uabs / cuts.Length;
            covered += ucov / cuts.Length;
            width += uwidth / cuts.Length;
            truth += utruth / cuts.Length;
            points += cuts.Length;
        }

        var u = Math.Max(1, units.Count);
        return new RulValidation(units.Count, points, Math.Sqrt(sq / u), abs / u, covered / u, width / u, truth / u);
    }

    /// <summary>Units shuffled with the seed, then cut into fitting, calibration and validation sets.</summary>
    private static (List<RulUnit> Train, List<RulUnit> Calibration, List<RulUnit> Validation) Split(IReadOnlyList<RulUnit> units, RulTrainingOptions options)
    {
        var shuffled = units.OrderBy(u => u.Id, StringComparer.Ordinal).ToArray();
        new Random(options.Seed).Shuffle(shuffled);
        var n = shuffled.Length;
        var nCal = Math.Max(2, (int)Math.Round(options.CalibrationFraction * n));
        var nVal = Math.Max(2, (int)Math.Round(options.ValidationFraction * n));
        var nTrain = n - nCal - nVal;
        return ([.. shuffled[..nTrain]], [.. shuffled[nTrain..(nTrain + nCal)]], [.. shuffled[(nTrain + nCal)..]]);
    }

    /// <summary>Which columns are settings and which sensors are kept, per-regime statistics, windows and time scale — from the fitting units only.</summary>
    private static RulFeatureSpec Analyse(IReadOnlyList<string> names, List<RulUnit> train, Dictionary<string, int> columnIndex, RulTrainingOptions options)
    {
        var dropped = new List<RulDroppedColumn>();
        var candidates = new List<int>();
        var settings = new List<(int Column, double[] Clusters, double Scale)>();
        for (var c = 0; c < names.Count; c++)
        {
            var values = train.SelectMany(u => u.Columns[c]).ToArray();
            var finite = values.Where(v => !double.IsNaN(v)).ToList();
            if (finite.Count < 0.5 * values.Length)
            {
                dropped.Add(new RulDroppedColumn(names[c], $"mostly empty ({100.0 * (values.Length - finite.Count) / values.Length:0} % of cells missing)"));
                continue;
            }

            var min = finite.Min();
            var max = finite.Max();
            if (max - min <= 1e-12 * Math.Max(1, Math.Abs(max)))
            {
                dropped.Add(new RulDroppedColumn(names[c], "constant"));
                continue;
            }

            if (RulRegimes.SettingClusters(finite) is { } clusters)
            {
                settings.Add((c, clusters, max - min));
            }

            candidates.Add(c);
        }

        var settingRows = new List<double[]>();
        foreach (var unit in train)
        {
            for (var i = 0; i < unit.Rows; i++)
            {
                var row = settings.Select(s => unit.Columns[s.Column][i]).ToArray();
                if (!row.Any(double.IsNaN))
                {
                    settingRows.Add(row);
                }
            }
        }

        var centroids = RulRegimes.Centroids(settingRows, settings.Select(s => s.Clusters).ToList());
        var scales = settings.Select(s => s.Scale).ToArray();
        var settingNames = settings.Select(s => names[s.Column]).ToArray();

        // Per-regime mean and spread of every candidate (settings too: a setting is flat within its regime and
        // drops out below; a sensor mistaken for a setting keeps its within-regime trend).
        var regimeCount = centroids.Length;
        var sum = new double[regimeCount, candidates.Count];
        var sumSq = new double[regimeCount, candidates.Count];
        var count = new int[regimeCount, candidates.Count];
        foreach (var unit in train)
        {
            for (var i = 0; i < unit.Rows; i++)
            {
                var r = settings.Count == 0 ? 0 : RulRegimes.Assign(settings.Select(s => unit.Columns[s.Column][i]).ToArray(), centroids, scales);
                for (var k = 0; k < candidates.Count; k++)
                {
                    var v = unit.Columns[candidates[k]][i];
                    if (!double.IsNaN(v))
                    {
                        sum[r, k] += v;
                        sumSq[r, k] += v * v;
                        count[r, k]++;
                    }
                }
            }
        }

        var mean = new double[regimeCount][];
        var std = new double[regimeCount][];
        var pooled = new double[candidates.Count];
        for (var k = 0; k < candidates.Count; k++)
        {
            double ts = 0, tss = 0, within = 0;
            var tn = 0;
            for (var r = 0; r < regimeCount; r++)
            {
                ts += sum[r, k];
                tss += sumSq[r, k];
                tn += count[r, k];
                if (count[r, k] > 0)
                {
                    var m = sum[r, k] / count[r, k];
                    within += Math.Max(0, sumSq[r, k] - count[r, k] * m * m);
                }
            }

            pooled[k] = Math.Sqrt(within / Math.Max(1, tn));
            var globalMean = ts / Math.Max(1, tn);
            var globalStd = Math.Sqrt(Math.Max(0, tss / Math.Max(1, tn) - globalMean * globalMean));
            for (var r = 0; r < regimeCount; r++)
            {
                mean[r] ??= new double[candidates.Count];
                std[r] ??= new double[candidates.Count];
                if (count[r, k] >= 2)
                {
                    var m = sum[r, k] / count[r, k];
                    mean[r][k] = m;
                    std[r][k] = Math.Sqrt(Math.Max(0, sumSq[r, k] / count[r, k] - m * m));
                }
                else
                {
                    mean[r][k] = globalMean;
                    std[r][k] = globalStd;
                }

                std[r][k] = Math.Max(std[r][k], Math.Max(1e-3 * globalStd, 1e-9 * (1 + Math.Abs(globalMean))));
            }
        }

        var timeScale = Median(train.Select(u => u.End - u.Start));
        if (!(timeScale > 0))
        {
            timeScale = 1;
        }

        var allSensors = candidates.Select(c => names[c]).ToArray();
        var probe = new RulFeatureSpec
        {
            Columns = [.. names],
            SettingColumns = settingNames,
            SettingScales = scales,
            RegimeCentroids = centroids,
            Sensors = allSensors,
            SensorMean = mean,
            SensorStd = std,
            Dropped = [],
            Windows = [1],
            TimeScale = timeScale,
            FeatureNames = [],
            Calibration = RulCalibration.None,
        };

        // Relation of each normalised sensor to RUL on the fitting rows.
        var correlation = new double[candidates.Count];
        var xs = new List<double>[candidates.Count];
        var ys = new List<double>();
        for (var k = 0; k < candidates.Count; k++)
        {
            xs[k] = [];
        }

        foreach (var unit in train)
        {
            var f = new RulUnitFeatures(unit, probe, columnIndex);
            for (var i = 0; i < unit.Rows; i++)
            {
                var v = f.At(i);
                ys.Add(unit.End - unit.Times[i]);
                for (var k = 0; k < candidates.Count; k++)
                {
                    xs[k].Add(v[k * 4]);
                }
            }
        }

        for (var k = 0; k < candidates.Count; k++)
        {
            correlation[k] = Pearson(xs[k], ys);
        }

        var keep = new List<int>();
        for (var k = 0; k < candidates.Count; k++)
        {
            var isSetting = settingNames.Contains(allSensors[k]);
            if (pooled[k] <= 1e-9 * (1 + Math.Abs(mean[0][k])))
            {
                dropped.Add(new RulDroppedColumn(allSensors[k], isSetting ? "operating setting (defines the regimes), constant within each" : "constant within each operating regime"));
            }
            else if (Math.Abs(correlation[k]) < MinCorrelation)
            {
                dropped.Add(new RulDroppedColumn(allSensors[k], FormattableString.Invariant(
                    $"{(isSetting ? "operating setting (defines the regimes); " : "")}no relation to remaining life on the fitting units (|r| = {Math.Abs(correlation[k]):0.000} < {MinCorrelation})")));
            }
            else
            {
                keep.Add(k);
            }
        }

        if (keep.Count == 0 && candidates.Count > 0)
        {
            // Nothing passes: keep the most related rather than learn from age alone.
            var best = Enumerable.Range(0, candidates.Count).Where(k => pooled[k] > 0).DefaultIfEmpty(0).MaxBy(k => Math.Abs(correlation[k]));
            keep.Add(best);
            dropped.RemoveAll(d => d.Name == allSensors[best]);
        }

        var sensors = keep.Select(k => allSensors[k]).ToArray();
        var rowsPerUnit = (int)Median(train.Select(u => (double)u.Rows));
        var windows = new[] { Math.Max(2, (int)Math.Round(0.05 * rowsPerUnit)), Math.Max(3, (int)Math.Round(0.15 * rowsPerUnit)), Math.Max(4, (int)Math.Round(0.4 * rowsPerUnit)) }
            .Distinct().Order().ToArray();
        return probe with
        {
            Sensors = sensors,
            SensorMean = mean.Select(m => keep.Select(k => m[k]).ToArray()).ToArray(),
            SensorStd = std.Select(s => keep.Select(k => s[k]).ToArray()).ToArray(),
            Dropped = [.. dropped.OrderBy(d => columnIndex[d.Name])],
            Windows = windows,
            FeatureNames = RulUnitFeatures.Names(sensors, windows),
        };
    }

    /// <summary>
    /// Quantiles of the normalised residuals in up to four bins of the predicted RUL (quartiles of the predictions),
    /// fewer when a bin would hold under 40 points: the band is narrow where the model knows (near failure) and wide
    /// where it cannot (early life), instead of one width for all.
    /// </summary>
    private static RulCalibration Calibrate(List<(double P, double R, double W)> residuals, double scale, int units)
    {
        var bins = Math.Clamp(residuals.Count / 40, 1, 4);
        var sortedP = residuals.Select(r => r.P).Order().ToArray();
        var edges = Enumerable.Range(1, bins - 1).Select(b => sortedP[b * sortedP.Length / bins]).Distinct().ToArray();
        var calibration = new RulCalibration(scale, edges, [], [], [], units, residuals.Count);
        var groups = Enumerable.Range(0, edges.Length + 1).Select(b => residuals.Where(r => calibration.Bin(r.P) == b).Select(r => (r.R, r.W)).ToList()).ToArray();
        return calibration with
        {
            Q10 = groups.Select(g => WeightedQuantile(g, 0.1)).ToArray(),
            Q50 = groups.Select(g => WeightedQuantile(g, 0.5)).ToArray(),
            Q90 = groups.Select(g => WeightedQuantile(g, 0.9)).ToArray(),
        };
    }

    /// <summary>Up to <paramref name="max"/> evenly spaced indices in [0, last], always including both ends.</summary>
    internal static int[] Evenly(int last, int max)
    {
        if (last < 0)
        {
            return [];
        }

        if (last + 1 <= max)
        {
            return Enumerable.Range(0, last + 1).ToArray();
        }

        return Enumerable.Range(0, max).Select(j => (int)Math.Round(j * (double)last / (max - 1))).Distinct().ToArray();
    }

    internal static double WeightedQuantile(List<(double R, double W)> values, double q)
    {
        if (values.Count == 0)
        {
            return 0;
        }

        var sorted = values.OrderBy(v => v.R).ToArray();
        var total = sorted.Sum(v => v.W);
        double cumulative = 0;
        foreach (var (r, w) in sorted)
        {
            cumulative += w;
            if (cumulative >= q * total)
            {
                return r;
            }
        }

        return sorted[^1].R;
    }

    private static double Median(IEnumerable<double> values)
    {
        var a = values.Order().ToArray();
        return a.Length == 0 ? 0 : a.Length % 2 == 1 ? a[a.Length / 2] : 0.5 * (a[a.Length / 2 - 1] + a[a.Length / 2]);
    }

    private static double Pearson(List<double> x, List<double> y)
    {
        var n = x.Count;
        if (n < 3)
        {
            return 1;
        }

        double mx = x.Average(), my = y.Average(), sxy = 0, sxx = 0, syy = 0;
        for (var i = 0; i < n; i++)
        {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }

        return sxx > 0 && syy > 0 ? sxy / Math.Sqrt(sxx * syy) : 0;
    }
}
