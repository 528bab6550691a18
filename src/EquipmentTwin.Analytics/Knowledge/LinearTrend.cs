namespace EquipmentTwin.Analytics.Knowledge;

/// <summary>Ordinary least squares y = a + b·x with the standard error of b (x in days).</summary>
internal readonly record struct LinearTrend(double Slope, double SlopeStandardError, int Points)
{
    /// <summary>|b| / SE(b); infinite for an exact line, zero for a flat exact line.</summary>
    public double Significance => SlopeStandardError > 0 ? Math.Abs(Slope) / SlopeStandardError : Slope == 0 ? 0 : double.PositiveInfinity;

    /// <summary>Fits hourly means (x = start time in days, relative to the first point) — closed form, two passes.</summary>
    public static LinearTrend? Fit(List<History.SeriesPoint> points)
    {
        var n = points.Count;
        if (n < 3)
        {
            return null;
        }

        var x0 = points[0].StartMs;
        double sx = 0, sy = 0;
        foreach (var p in points)
        {
            sx += (p.StartMs - x0) / 86_400_000.0;
            sy += p.Mean;
        }

        var mx = sx / n;
        var my = sy / n;
        double sxx = 0, sxy = 0;
        foreach (var p in points)
        {
            var dx = (p.StartMs - x0) / 86_400_000.0 - mx;
            sxx += dx * dx;
            sxy += dx * (p.Mean - my);
        }

        if (sxx <= 0)
        {
            return null;
        }

        var b = sxy / sxx;
        var a = my - b * mx;
        double ssr = 0;
        foreach (var p in points)
        {
            var r = p.Mean - (a + b * ((p.StartMs - x0) / 86_400_000.0));
            ssr += r * r;
        }

        var se = Math.Sqrt(ssr / (n - 2) / sxx);
        return new LinearTrend(b, se, n);
    }
}
