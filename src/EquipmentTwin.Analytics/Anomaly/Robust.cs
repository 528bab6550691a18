namespace EquipmentTwin.Analytics.Anomaly;

/// <summary>Median and median absolute deviation of small samples (sorts a copy in place of the caller's scratch).</summary>
internal static class Robust
{
    public static double Median(List<double> values)
    {
        values.Sort();
        var n = values.Count;
        return n == 0 ? double.NaN : n % 2 == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
    }

    /// <summary>Median absolute deviation from the median; reorders <paramref name="values"/>.</summary>
    public static double Mad(List<double> values)
    {
        var median = Median(values);
        for (var i = 0; i < values.Count; i++)
        {
            values[i] = Math.Abs(values[i] - median);
        }

        return Median(values);
    }
}
