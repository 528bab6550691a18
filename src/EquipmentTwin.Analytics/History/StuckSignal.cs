namespace EquipmentTwin.Analytics.History;

/// <summary>The stuck-sensor test the rules and physics engines share before they judge a signal's trend.</summary>
public static class StuckSignal
{
    /// <summary>
    /// True when the newest <paramref name="hours"/> hourly points that hold several readings each show one identical
    /// value (min = max = the same mean in all of them). Points with one reading are skipped, not judged: a single
    /// value may repeat by chance.
    /// </summary>
    public static bool NewestHoursStuck(List<SeriesPoint> points, int hours)
    {
        var seen = 0;
        double? value = null;
        for (var i = points.Count - 1; i >= 0 && seen < hours; i--)
        {
            var p = points[i];
            if (p.Count < 2)
            {
                continue;
            }

            if (p.Max != p.Min || (value is { } v && v != p.Mean))
            {
                return false;
            }

            value = p.Mean;
            seen++;
        }

        return seen == hours;
    }
}
