using EquipmentTwin.Core.WireFormat;
using Microsoft.ML;

namespace EquipmentTwin.Analytics.Anomaly;

/// <summary>
/// Fits a modality's anomaly model on healthy feature rows: ML.NET RandomizedPca (one MLContext, fixed
/// seed) finds the subspace of normal variation; the threshold is a high quantile of the training scores
/// times a margin; held-out blocks of rows give the validation figures. Same rows and seed, same model.
/// </summary>
public static class AnomalyTrainer
{
    /// <summary>Trains from collected rows (grouped by device, in time order); the training range is taken from them.</summary>
    public static AnomalyModel Train(Modality modality, IReadOnlyList<AnomalyFeatureRow> rows, string[] featureNames, AnomalyTrainingOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfZero(rows.Count);
        return Train(modality, rows.Select(r => r.Values).ToArray(), featureNames, options with
        {
            TrainedFromMs = options.TrainedFromMs ?? rows.Min(r => r.WindowEndMs) - AnomalyFeatures.WindowMs,
            TrainedToMs = options.TrainedToMs ?? rows.Max(r => r.WindowEndMs),
        });
    }

    public static AnomalyModel Train(Modality modality, IReadOnlyList<float[]> rows, string[] featureNames, AnomalyTrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var d = featureNames.Length;
        if (rows.Count < 10)
        {
            throw new ArgumentException($"Need at least 10 rows to train, got {rows.Count}.", nameof(rows));
        }

        if (rows.Any(r => r.Length != d))
        {
            throw new ArgumentException($"Every row must have {d} features.", nameof(rows));
        }

        var (train, holdout) = Split(rows, options);

        // Features that (almost) never move in training carry no information, and a rare blip (an event
        // count nonzero in a handful of windows) would get a near-zero residual variance that makes every
        // later blip look extreme: scoring ignores features that differ from their usual value in < 1 % of rows.
        var active = new bool[d];
        for (var i = 0; i < d; i++)
        {
            var column = train.Select(r => r[i]).OrderBy(v => v).ToArray();
            var usual = column[column.Length / 2];
            var moving = column.Count(v => Math.Abs(v - usual) > 1e-6);
            active[i] = moving >= Math.Max(1, train.Count / 100);
        }

        var activeCount = active.Count(a => a);
        var rank = Math.Clamp(options.Rank, 1, Math.Max(1, Math.Min(activeCount - 1, train.Count - 1)));

        var ml = new MLContext(seed: options.Seed);
        var schema = AnomalyModel.InputSchema(d);
        var data = ml.Data.LoadFromEnumerable(train.Select(r => new AnomalyModel.FeatureVector { Features = r }), schema);
        var trainer = ml.AnomalyDetection.Trainers.RandomizedPca(
            featureColumnName: AnomalyModel.FeaturesColumn, rank: rank, oversampling: options.Oversampling, ensureZeroMean: true, seed: options.Seed);
        var transformer = trainer.Fit(data);

        // Variances along the kept components and outside them, for the PPCA distance.
        var pca = transformer.Model;
        var eigen = new Microsoft.ML.Data.VBuffer<float>[0];
        pca.GetEigenVectors(ref eigen, out var k);
        var mean = default(Microsoft.ML.Data.VBuffer<float>);
        pca.GetMean(ref mean);
        var mu = mean.DenseValues().ToArray();
        var vectors = eigen.Take(k).Select(v => v.DenseValues().ToArray()).ToArray();
        var lambda = new double[k];
        var residualVariances = new double[d];
        var t = new double[k];
        foreach (var row in train)
        {
            for (var j = 0; j < k; j++)
            {
                double dot = 0;
                for (var i = 0; i < d; i++)
                {
                    if (active[i])
                    {
                        dot += vectors[j][i] * (double)(row[i] - mu[i]);
                    }
                }

                t[j] = dot;
                lambda[j] += dot * dot;
            }

            for (var i = 0; i < d; i++)
            {
                if (active[i])
                {
                    double r = row[i] - mu[i];
                    for (var j = 0; j < k; j++)
                    {
                        r -= t[j] * vectors[j][i];
                    }

                    residualVariances[i] += r * r;
                }
            }
        }

        for (var j = 0; j < k; j++)
        {
            lambda[j] /= train.Count;
        }

        // Floor: a feature the subspace explains perfectly in training must not make any later wobble infinite.
        var meanResidual = residualVariances.Where((_, i) => active[i]).DefaultIfEmpty(0).Average() / train.Count;
        var floor = Math.Max(1e-4, options.ResidualFloor * meanResidual);
        for (var i = 0; i < d; i++)
        {
            residualVariances[i] = active[i] ? Math.Max(residualVariances[i] / train.Count, floor) : 0;
        }

        var provisional = new AnomalyModelInfo
        {
            Modality = modality.ToWire(),
            Version = options.Version,
            Rank = k,
            Oversampling = options.Oversampling,
            Seed = options.Seed,
            BaselineDays = options.BaselineDays,
            FeatureNames = featureNames.ToArray(),
            FeatureSet = options.FeatureSet,
            InactiveFeatures = featureNames.Where((_, i) => !active[i]).ToArray(),
            Eigenvalues = lambda,
            ResidualVariances = residualVariances,
            Threshold = double.PositiveInfinity,
            ThresholdQuantile = options.ThresholdQuantile,
            ThresholdMargin = options.ThresholdMargin,
            TrainedFromMs = options.TrainedFromMs ?? 0,
            TrainedToMs = options.TrainedToMs ?? 0,
            Rows = rows.Count,
            TrainingRows = train.Count,
            TrainingScoreP50 = 0,
            TrainingScoreQuantile = 0,
            Validation = new AnomalyValidation(0, 0, 0, 0, 0, 0, 0),
        };
        var model = new AnomalyModel(ml, transformer, data.Schema, provisional);

        var trainScores = train.Select(r => model.Score(r)).OrderBy(s => s).ToArray();
        var quantile = Quantile(trainScores, options.ThresholdQuantile);
        var threshold = quantile * options.ThresholdMargin;
        var info = provisional with
        {
            Threshold = threshold,
            TrainingScoreP50 = Quantile(trainScores, 0.5),
            TrainingScoreQuantile = quantile,
            Validation = Validate(model, holdout, threshold),
        };
        return new AnomalyModel(ml, transformer, data.Schema, info);
    }

    /// <summary>Every n-th block of <see cref="AnomalyTrainingOptions.ValidationBlock"/> consecutive rows is held out.</summary>
    private static (List<float[]> Train, List<List<float[]>> Holdout) Split(IReadOnlyList<float[]> rows, AnomalyTrainingOptions options)
    {
        var train = new List<float[]>();
        var holdout = new List<List<float[]>>();
        var period = options.ValidationShare > 0 ? Math.Max(2, (int)Math.Round(1 / options.ValidationShare)) : int.MaxValue;
        var block = Math.Max(1, options.ValidationBlock);
        for (var i = 0; i < rows.Count; i++)
        {
            var b = i / block;
            if (period != int.MaxValue && b % period == period - 1 && rows.Count >= 2 * block)
            {
                if (i % block == 0)
                {
                    holdout.Add(new List<float[]>());
                }

                holdout[^1].Add(rows[i]);
            }
            else
            {
                train.Add(rows[i]);
            }
        }

        return (train, holdout);
    }

    private static AnomalyValidation Validate(AnomalyModel model, List<List<float[]>> blocks, double threshold)
    {
        var scores = new List<double>();
        var persistent = 0;
        foreach (var block in blocks)
        {
            var recent = new Queue<bool>();
            foreach (var row in block)
            {
                var s = model.Score(row);
                scores.Add(s);
                recent.Enqueue(s > threshold);
                if (recent.Count > AnomalyEngine.PersistenceWindows)
                {
                    recent.Dequeue();
                }

                if (recent.Count(x => x) >= AnomalyEngine.PersistenceRequired)
                {
                    persistent++;
                }
            }
        }

        if (scores.Count == 0)
        {
            return new AnomalyValidation(0, 0, 0, 0, 0, 0, 0);
        }

        var above = scores.Count(s => s > threshold);
        var sorted = scores.OrderBy(s => s).ToArray();
        return new AnomalyValidation(scores.Count, above, above / (double)scores.Count, persistent, Quantile(sorted, 0.5), Quantile(sorted, 0.99), sorted[^1]);
    }

    /// <summary>Nearest-rank quantile of sorted values.</summary>
    private static double Quantile(double[] sorted, double q)
    {
        var index = Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1);
        return sorted[index];
    }
}
