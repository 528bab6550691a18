namespace EquipmentTwin.Analytics.Rul;

/// <summary>
/// One unit's history turned into model features at any of its rows: sensors normalised per operating regime
/// (z = (x − μ_regime) / σ_regime; a missing cell carries the last value forward), then over each window of the
/// last w rows the level (mean), slope (least squares against time) and spread (standard deviation), the drift of
/// the short-window level from the unit's own start, and the age. Prefix sums make each row O(sensors × windows).
/// </summary>
public sealed class RulUnitFeatures
{
    private const int PerWindow = 3;

    private readonly RulFeatureSpec _spec;
    private readonly double[] _t;
    private readonly double[] _st;
    private readonly double[] _stt;
    private readonly double[][] _sz;
    private readonly double[][] _szz;
    private readonly double[][] _stz;

    /// <summary>Prepares <paramref name="unit"/>; <paramref name="columnIndex"/> maps a column name to its index in the unit's columns.</summary>
    public RulUnitFeatures(RulUnit unit, RulFeatureSpec spec, IReadOnlyDictionary<string, int> columnIndex)
    {
        _spec = spec;
        Unit = unit;
        var n = unit.Rows;
        var regimes = new int[n];
        if (spec.SettingColumns.Length > 0)
        {
            var settings = spec.SettingColumns.Select(c => Filled(unit.Columns[columnIndex[c]])).ToArray();
            var row = new double[settings.Length];
            for (var i = 0; i < n; i++)
            {
                for (var s = 0; s < settings.Length; s++)
                {
                    row[s] = settings[s][i];
                }

                regimes[i] = RulRegimes.Assign(row, spec.RegimeCentroids, spec.SettingScales);
            }
        }

        _t = new double[n];
        _st = new double[n + 1];
        _stt = new double[n + 1];
        for (var i = 0; i < n; i++)
        {
            _t[i] = (unit.Times[i] - unit.Times[0]) / spec.TimeScale;
            _st[i + 1] = _st[i] + _t[i];
            _stt[i + 1] = _stt[i] + _t[i] * _t[i];
        }

        var k = spec.Sensors.Length;
        _sz = new double[k][];
        _szz = new double[k][];
        _stz = new double[k][];
        for (var s = 0; s < k; s++)
        {
            var x = Filled(unit.Columns[columnIndex[spec.Sensors[s]]]);
            var sz = _sz[s] = new double[n + 1];
            var szz = _szz[s] = new double[n + 1];
            var stz = _stz[s] = new double[n + 1];
            for (var i = 0; i < n; i++)
            {
                var r = regimes[i];
                var z = double.IsNaN(x[i]) ? 0 : (x[i] - spec.SensorMean[r][s]) / spec.SensorStd[r][s];
                sz[i + 1] = sz[i] + z;
                szz[i + 1] = szz[i] + z * z;
                stz[i + 1] = stz[i] + _t[i] * z;
            }
        }
    }

    public RulUnit Unit { get; }

    public static int Count(int sensors, int windows) => sensors * (windows * PerWindow + 1) + 1;

    public static string[] Names(IReadOnlyList<string> sensors, IReadOnlyList<int> windows)
    {
        var names = new List<string>();
        foreach (var s in sensors)
        {
            foreach (var w in windows)
            {
                names.Add($"{s}.level{w}");
                names.Add($"{s}.slope{w}");
                names.Add($"{s}.spread{w}");
            }

            names.Add($"{s}.drift");
        }

        names.Add("age");
        return [.. names];
    }

    /// <summary>The features at row <paramref name="row"/>, seeing only rows up to it.</summary>
    public float[] At(int row)
    {
        var windows = _spec.Windows;
        var k = _spec.Sensors.Length;
        var features = new float[Count(k, windows.Length)];
        var f = 0;
        var longest = windows[^1];
        for (var s = 0; s < k; s++)
        {
            foreach (var w in windows)
            {
                var (mean, slope, spread) = Window(s, row, w);
                features[f++] = (float)mean;
                features[f++] = (float)slope;
                features[f++] = (float)spread;
            }

            var (shortMean, _, _) = Window(s, row, windows[0]);
            var baseRows = Math.Min(longest, row + 1);
            var baseline = _sz[s][baseRows] / baseRows;
            features[f++] = (float)(shortMean - baseline);
        }

        features[f] = (float)_t[row];
        return features;
    }

    private (double Mean, double Slope, double Spread) Window(int s, int row, int w)
    {
        var n = Math.Min(w, row + 1);
        var a = row + 1 - n;
        var b = row + 1;
        var sz = _sz[s][b] - _sz[s][a];
        var szz = _szz[s][b] - _szz[s][a];
        var mean = sz / n;
        var spread = Math.Sqrt(Math.Max(0, szz / n - mean * mean));
        if (n < 2)
        {
            return (mean, 0, 0);
        }

        var st = _st[b] - _st[a];
        var stt = _stt[b] - _stt[a];
        var stz = _stz[s][b] - _stz[s][a];
        var vt = stt - st * st / n;
        var slope = vt > 1e-12 ? (stz - st * sz / n) / vt : 0;
        return (mean, slope, spread);
    }

    /// <summary>A column with missing cells carrying the last value forward (and the first value back).</summary>
    private static double[] Filled(double[] column)
    {
        var x = (double[])column.Clone();
        var first = Array.FindIndex(x, v => !double.IsNaN(v));
        if (first < 0)
        {
            return x;
        }

        for (var i = 0; i < first; i++)
        {
            x[i] = x[first];
        }

        for (var i = first + 1; i < x.Length; i++)
        {
            if (double.IsNaN(x[i]))
            {
                x[i] = x[i - 1];
            }
        }

        return x;
    }
}
