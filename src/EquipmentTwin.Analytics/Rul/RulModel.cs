using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace EquipmentTwin.Analytics.Rul;

/// <summary>
/// A trained remaining-useful-life model: the ML.NET regression (saved as <c>model.zip</c> with its input schema),
/// its <see cref="RulFeatureSpec"/> (<c>features.json</c>) and what it was trained on with its validation figures
/// (<see cref="RulModelInfo"/>, <c>validation.json</c>).
/// </summary>
public sealed class RulModel
{
    public const string ZipFile = "model.zip";
    public const string SpecFile = "features.json";
    public const string InfoFile = "validation.json";
    internal const string FeaturesColumn = "Features";
    internal const string LabelColumn = "Label";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private readonly MLContext _ml;
    private readonly ITransformer _transformer;
    private readonly DataViewSchema _schema;
    private readonly RulModelInfo? _info;

    internal RulModel(MLContext ml, ITransformer transformer, DataViewSchema schema, RulFeatureSpec spec, RulModelInfo? info)
    {
        _ml = ml;
        _transformer = transformer;
        _schema = schema;
        Spec = spec;
        _info = info;
    }

    public RulFeatureSpec Spec { get; }

    public RulModelInfo Info => _info ?? throw new InvalidOperationException("The model is still being fitted.");

    /// <summary>RUL band of every unit at its last row. The file's columns are matched by name; extra columns are ignored.</summary>
    public IReadOnlyList<RulPrediction> Predict(RulHistory history)
    {
        ArgumentNullException.ThrowIfNull(history);
        var columnIndex = history.FeatureNames.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i, StringComparer.Ordinal);
        foreach (var needed in Spec.SettingColumns.Concat(Spec.Sensors))
        {
            if (!columnIndex.ContainsKey(needed))
            {
                throw new RulDataException($"{history.Source}: line 1: the model reads column '{needed}', which the header does not have");
            }
        }

        var rows = history.Units.Select(u => new RulUnitFeatures(u, Spec, columnIndex).At(u.Rows - 1)).ToList();
        var raw = Score(rows);
        return history.Units.Select((u, i) =>
        {
            var (p10, p50, p90) = Band(raw[i]);
            return new RulPrediction(u.Id, u.End, p10, p50, p90);
        }).ToList();
    }

    /// <summary>The calibrated band around a raw prediction: ordered, never below zero.</summary>
    public (double P10, double P50, double P90) Band(double raw)
    {
        var p = Math.Max(0, raw);
        var c = Spec.Calibration;
        var b = c.Bin(p);
        var s = p + c.Scale;
        var p10 = Math.Max(0, p + c.Q10[b] * s);
        var p50 = Math.Max(p10, p + c.Q50[b] * s);
        var p90 = Math.Max(p50, p + c.Q90[b] * s);
        return (p10, p50, p90);
    }

    internal double[] PredictRaw(RulUnitFeatures unit, int[] rows) => Score(rows.Select(unit.At).ToList());

    internal (double P10, double P50, double P90)[] PredictAt(RulUnitFeatures unit, int[] rows) => PredictRaw(unit, rows).Select(Band).ToArray();

    private double[] Score(IReadOnlyList<float[]> features)
    {
        if (features.Count == 0)
        {
            return [];
        }

        var data = _ml.Data.LoadFromEnumerable(features.Select(f => new Row { Features = f }), InputSchema(Spec.FeatureNames.Length));
        return _transformer.Transform(data).GetColumn<float>("Score").Select(v => (double)v).ToArray();
    }

    /// <summary>Writes <c>model.zip</c>, <c>features.json</c> and <c>validation.json</c> into <paramref name="directory"/>.</summary>
    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        _ml.Model.Save(_transformer, _schema, Path.Combine(directory, ZipFile));
        File.WriteAllText(Path.Combine(directory, SpecFile), JsonSerializer.Serialize(Spec, Json));
        File.WriteAllText(Path.Combine(directory, InfoFile), JsonSerializer.Serialize(Info, Json));
    }

    /// <summary>Loads a model saved by <see cref="Save"/>; a missing or unreadable file is a <see cref="RulDataException"/>.</summary>
    public static RulModel Load(string directory)
    {
        foreach (var name in new[] { ZipFile, SpecFile, InfoFile })
        {
            if (!File.Exists(Path.Combine(directory, name)))
            {
                throw new RulDataException($"{directory}: no {name}; not a model written by 'twin rul fit'");
            }
        }

        try
        {
            var spec = JsonSerializer.Deserialize<RulFeatureSpec>(File.ReadAllText(Path.Combine(directory, SpecFile)), Json)
                       ?? throw new RulDataException($"{Path.Combine(directory, SpecFile)}: empty");
            var info = JsonSerializer.Deserialize<RulModelInfo>(File.ReadAllText(Path.Combine(directory, InfoFile)), Json)
                       ?? throw new RulDataException($"{Path.Combine(directory, InfoFile)}: empty");
            var ml = new MLContext(seed: info.Seed);
            using var stream = File.OpenRead(Path.Combine(directory, ZipFile));
            var transformer = ml.Model.Load(stream, out var schema);
            return new RulModel(ml, transformer, schema, spec, info);
        }
        catch (JsonException ex)
        {
            throw new RulDataException($"{directory}: unreadable model description: {ex.Message}");
        }
    }

    internal static SchemaDefinition InputSchema(int dimension)
    {
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[FeaturesColumn].ColumnType = new VectorDataViewType(NumberDataViewType.Single, dimension);
        return schema;
    }

    /// <summary>ML.NET's input row.</summary>
    internal sealed class Row
    {
        public float Label { get; set; }
        public float[] Features { get; set; } = [];
    }
}
