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
        var window = new double[2 * HalfWindow + 1];
        for (var i = 0; i < n; i++)
        {
            var lo = Math.Max(0, Math.Min(i - HalfWindow, n - window.Length));
            for (var k = 0; k < window.Length; k++)
            {
                window[k] = y[lo + k];
            }

            Array.Sort(window);
            deviation[i] = y[i] - window[HalfWindow];
        }

        var scale = RobustLine.RobustScale(deviation.ToList());
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
