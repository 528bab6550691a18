using EquipmentTwin.Analytics.Engines;

namespace EquipmentTwin.Analytics.Physics.Fitting;

/// <summary>A slope change found in a window: τ (days from now), the lines before and after, and how much it lowered BIC.</summary>
public sealed record ChangePoint(double Tau, int Index, LineFit Before, LineFit After, double DeltaBic, bool Accepted);

/// <summary>
/// Two-segment least squares over every candidate split (O(n) with prefix sums); the split that minimises
/// the total squared error is accepted when it lowers BIC (n·ln(RSS/n) + k·ln n; 2 vs 5 parameters) by
/// <see cref="BicMargin"/> and the post-change slope is steeper toward the threshold by 3 standard errors.
/// </summary>
public static class ChangePointFit
{
    public const double BicMargin = 10;
    private const double SteeperSigmas = 3;

    public static ChangePoint? Find(ReadOnlySpan<double> t, ReadOnlySpan<double> y, ThresholdDirection direction, int minSegment)
    {
        var n = t.Length;
        minSegment = Math.Max(minSegment, 6);
        if (n < 2 * minSegment)
        {
            return null;
        }

        var s1 = new double[n + 1];
        var st = new double[n + 1];
        var sy = new double[n + 1];
        var stt = new double[n + 1];
        var sty = new double[n + 1];
        var syy = new double[n + 1];
        for (var i = 0; i < n; i++)
        {
            s1[i + 1] = s1[i] + 1;
            st[i + 1] = st[i] + t[i];
            sy[i + 1] = sy[i] + y[i];
            stt[i + 1] = stt[i] + t[i] * t[i];
            sty[i + 1] = sty[i] + t[i] * y[i];
            syy[i + 1] = syy[i] + y[i] * y[i];
        }

        double Sse(int from, int to)
        {
            var m = s1[to] - s1[from];
            var a = st[to] - st[from];
            var b = sy[to] - sy[from];
            var sxx = stt[to] - stt[from] - a * a / m;
            var sxy = sty[to] - sty[from] - a * b / m;
            var syy0 = syy[to] - syy[from] - b * b / m;
            return Math.Max(0, sxx > 0 ? syy0 - sxy * sxy / sxx : syy0);
        }

        var best = -1;
        var bestSse = double.MaxValue;
        for (var k = minSegment; k <= n - minSegment; k++)
        {
            var sse = Sse(0, k) + Sse(k, n);
            if (sse < bestSse)
            {
                bestSse = sse;
                best = k;
            }
        }

        if (best < 0)
        {
            return null;
        }

        var floor = 1e-12 * Math.Max(1, syy[n] / n);
        var bicOne = n * Math.Log(Math.Max(Sse(0, n) / n, floor)) + 2 * Math.Log(n);
        var bicTwo = n * Math.Log(Math.Max(bestSse / n, floor)) + 5 * Math.Log(n);
        var before = RobustLine.Fit(t[..best], y[..best], [], minSegment / 2);
        var after = RobustLine.Fit(t[best..], y[best..], [], minSegment / 2);
        if (before is not { } b1 || after is not { } b2)
        {
            return null;
        }

        var toward = CrossingBand.Toward(direction);
        var steeper = toward * b2.B > 0 && toward * (b2.B - b1.B) > SteeperSigmas * Math.Sqrt(b1.VarB + b2.VarB);
        var delta = bicOne - bicTwo;
        return new ChangePoint(t[best], best, b1, b2, delta, delta > BicMargin && steeper);
    }
}
