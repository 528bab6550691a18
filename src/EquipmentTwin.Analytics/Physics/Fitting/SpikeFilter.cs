namespace EquipmentTwin.Analytics.Physics.Fitting;

/// <summary>
/// Hampel filter: flags a point whose distance from the median of its 7 neighbours exceeds 6 robust σ of
/// all such distances. Local, so a genuine change of slope or level is not taken for a spike.
/// </summary>
public static class SpikeFilter
{
    private const int HalfWindow = 3;
    private const double Sigmas = 6.0;

    /// <summary>Returns keep-flags for <paramref name="y"/> (time-ordered) and how many points were flagged.</summary>
    public static (bool[] Keep, int Spikes) Flag(ReadOnlySpan<double> y)
    {
        var n = y.Length;
        var keep = new bool[n];
        Array.Fill(keep, true);
        if (n < 2 * HalfWindow + 1)
        {
            return (keep, 0);
        }

        var deviation = new double[n];
        Span<double> window = stackalloc double[2 * HalfWindow + 1];
        for (var i = 0; i < n; i++)
        {
            var lo = Math.Max(0, Math.Min(i - HalfWindow, n - window.Length));
            for (var k = 0; k < window.Length; k++)
            {
                // insertion sort: seven values, far cheaper than a general sort per point
                var v = y[lo + k];
                var j = k - 1;
                while (j >= 0 && window[j] > v)
                {
                    window[j + 1] = window[j];
                    j--;
                }

                window[j + 1] = v;
            }

            deviation[i] = y[i] - window[HalfWindow];
        }

        var scale = RobustLine.RobustScale(deviation.AsSpan().ToArray().AsSpan());
        if (scale <= 0)
        {
            return (keep, 0);
        }

        var spikes = 0;
        for (var i = 0; i < n; i++)
        {
            if (Math.Abs(deviation[i]) > Sigmas * scale)
            {
                keep[i] = false;
                spikes++;
            }
        }

        return (keep, spikes);
    }
}
