namespace EquipmentTwin.Analytics.Physics.Fitting;

/// <summary>
/// v(t) = φ + θ·e^{βt} (domain notes §5.4) with φ the device's baseline: ln(v − φ) = ln θ + β·t by weighted
/// least squares on points with v − φ > ε, weights (v − φ)² because additive noise σ on v becomes σ/(v − φ)
/// on ln(v − φ). The returned line is in log space: A = ln θ (t = 0 is now), B = β per day.
/// </summary>
public static class ExponentialFit
{
    public static LineFit? Fit(ReadOnlySpan<double> t, ReadOnlySpan<double> v, double phi, double epsilon, int minPoints)
    {
        var ts = new List<double>(t.Length);
        var zs = new List<double>(t.Length);
        var ws = new List<double>(t.Length);
        for (var i = 0; i < t.Length; i++)
        {
            var excess = v[i] - phi;
            if (excess > epsilon && excess > 0)
            {
                ts.Add(t[i]);
                zs.Add(Math.Log(excess));
                ws.Add(excess * excess);
            }
        }

        if (ts.Count < minPoints)
        {
            return null;
        }

        var maxW = ws.Max();
        for (var i = 0; i < ws.Count; i++)
        {
            ws[i] /= maxW;
        }

        return RobustLine.Fit(ts.ToArray(), zs.ToArray(), ws.ToArray(), minPoints);
    }
}
