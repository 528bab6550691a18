using System.Text.Json;
using EquipmentTwin.Core.WireFormat;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;

namespace EquipmentTwin.Analytics.Anomaly;

/// <summary>
/// A trained anomaly model of one modality: the ML.NET PCA transformer (saved as a zip with its input
/// schema) and its <see cref="AnomalyModelInfo"/> (saved as json); scores windows with <see cref="PcaScorer"/>.
/// </summary>
public sealed class AnomalyModel
{
    internal const string FeaturesColumn = "Features";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private readonly MLContext _ml;
    private readonly ITransformer _transformer;
    private readonly DataViewSchema _schema;
    private readonly PcaScorer _scorer;

    internal AnomalyModel(MLContext ml, ITransformer transformer, DataViewSchema schema, AnomalyModelInfo info)
    {
        _ml = ml;
        _transformer = transformer;
        _schema = schema;
        Info = info;
        Modality = ModalityNames.TryParse(info.Modality, out var m) ? m : throw new InvalidDataException($"Unknown modality '{info.Modality}' in model info.");
        if (info.FeatureSet is < 1 or > AnomalyFeatures.CurrentFeatureSet)
        {
            throw new InvalidDataException(
                $"The {info.Modality} anomaly model v{info.Version} was trained on feature set {info.FeatureSet}; this engine computes feature sets 1–{AnomalyFeatures.CurrentFeatureSet}. Use a newer build or retrain it (twin train).");
        }

        var pca = ExtractPca(transformer);
        var eigen = new VBuffer<float>[0];
        pca.GetEigenVectors(ref eigen, out var rank);
        var mean = default(VBuffer<float>);
        pca.GetMean(ref mean);
        var inactive = new HashSet<string>(info.InactiveFeatures, StringComparer.Ordinal);
        _scorer = new PcaScorer(
            mean.DenseValues().ToArray(),
            eigen.Take(rank).Select(v => v.DenseValues().ToArray()).ToArray(),
            info.Eigenvalues,
            info.ResidualVariances,
            info.FeatureNames.Select(n => !inactive.Contains(n)).ToArray());
        if (_scorer.Dimension != info.FeatureNames.Length)
        {
            throw new InvalidDataException($"Model has {_scorer.Dimension} features, its info names {info.FeatureNames.Length}.");
        }
    }

    public AnomalyModelInfo Info { get; }
    public Modality Modality { get; }
    public int Version => Info.Version;
    public double Threshold => Info.Threshold;
    public IReadOnlyList<string> FeatureNames => Info.FeatureNames;

    /// <summary>The same fitted model with another threshold and record of how it was set.</summary>
    public AnomalyModel WithInfo(AnomalyModelInfo info) => new(_ml, _transformer, _schema, info);

    /// <summary>Anomaly score of one window (≈1 for healthy windows; alert above <see cref="Threshold"/>).</summary>
    public double Score(ReadOnlySpan<float> features) => _scorer.Score(features);

    /// <summary>Score with the flagged features treated as unknown (masked sensors, attribution by reconstruction).</summary>
    public double Score(ReadOnlySpan<float> features, ReadOnlySpan<bool> missing) => _scorer.Score(features, missing);

    /// <summary>The squared distance s²·|o| with the flagged features unknown (falls as more are unknown; for attribution).</summary>
    public double Distance2(ReadOnlySpan<float> features, ReadOnlySpan<bool> missing) => _scorer.Distance2(features, missing, out _);

    /// <summary>Score of a collected row as the engine scores it: its masked features treated as unknown.</summary>
    public double Score(AnomalyFeatureRow row) => row.Missing is null ? _scorer.Score(row.Values) : _scorer.Score(row.Values, row.Missing);

    /// <summary>ML.NET's own normalized PCA score of one window, run through the loaded transformer (slow; for checks).</summary>
    public float MlNetScore(float[] features)
    {
        var schema = InputSchema(features.Length);
        var data = _ml.Data.LoadFromEnumerable([new FeatureVector { Features = features }], schema);
        return _transformer.Transform(data).GetColumn<float>("Score").Single();
    }

    /// <summary>ML.NET's score recomputed from the model parameters (to show the parameters are read right).</summary>
    internal double MlNetScoreFromParameters(ReadOnlySpan<float> features) => _scorer.MlNetScore(features);

    /// <summary>Writes <c>{directory}/{modality}/anomaly/v{N}.zip</c> and <c>v{N}.json</c>; refuses to overwrite a version.</summary>
    public string Save(string directory)
    {
        var folder = Path.Combine(directory, Modality.ToWire(), "anomaly");
        Directory.CreateDirectory(folder);
        var zip = Path.Combine(folder, $"v{Version}.zip");
        if (File.Exists(zip))
        {
            throw new IOException($"{zip} exists; a saved version is never overwritten.");
        }

        _ml.Model.Save(_transformer, _schema, zip);
        File.WriteAllText(Path.ChangeExtension(zip, ".json"), JsonSerializer.Serialize(Info, Json));
        return zip;
    }

    /// <summary>Loads <c>v{N}.zip</c> and the <c>v{N}.json</c> beside it.</summary>
    public static AnomalyModel Load(string zipPath)
    {
        var info = JsonSerializer.Deserialize<AnomalyModelInfo>(File.ReadAllText(Path.ChangeExtension(zipPath, ".json")), Json)
                   ?? throw new InvalidDataException($"Empty model info beside {zipPath}.");
        var ml = new MLContext(seed: info.Seed);
        using var stream = File.OpenRead(zipPath);
        var transformer = ml.Model.Load(stream, out var schema);
        return new AnomalyModel(ml, transformer, schema, info);
    }

    internal static SchemaDefinition InputSchema(int dimension)
    {
        var schema = SchemaDefinition.Create(typeof(FeatureVector));
        schema[FeaturesColumn].ColumnType = new VectorDataViewType(NumberDataViewType.Single, dimension);
        return schema;
    }

    /// <summary>The PCA parameters inside a fitted or loaded transformer (loading types the transformer by its model interface).</summary>
    internal static PcaModelParameters ExtractPca(ITransformer transformer)
    {
        var last = transformer is TransformerChain<ITransformer> chain ? chain.LastTransformer : transformer;
        return last.GetType().GetProperty("Model")?.GetValue(last) as PcaModelParameters
               ?? throw new InvalidDataException($"Expected an ML.NET PCA anomaly transformer, found {last.GetType().Name}.");
    }

    /// <summary>ML.NET's input row: one vector column.</summary>
    public sealed class FeatureVector
    {
        public float[] Features { get; set; } = [];
    }
}
