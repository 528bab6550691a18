namespace EquipmentTwin.Analytics.Rul;

/// <summary>
/// Finds operating-regime settings among a file's columns and assigns rows to regimes. A setting column is one
/// whose values sit in 2–12 tight clusters (each spread under 2 % of the column's range, separated by gaps over
/// 5 % of it, each holding ≥ 1 % of rows) — the way a flight condition, a load step or a programme number shows
/// up (as in C-MAPSS's six conditions: Saxena et al. 2008). A regime is a combination of clusters seen in ≥ 0.5 %
/// of rows; a row is in the regime whose centre is nearest in range-scaled setting space.
/// </summary>
public static class RulRegimes
{
    private const int MaxClusters = 12;

    /// <summary>Cluster centres of a column if it looks like a setting, else null.</summary>
    public static double[]? SettingClusters(IReadOnlyList<double> finiteValues)
    {
        if (finiteValues.Count < 20)
        {
            return null;
        }

        var sorted = finiteValues.ToArray();
        Array.Sort(sorted);
        var range = sorted[^1] - sorted[0];
        if (!(range > 0))
        {
            return null;
        }

        var centres = new List<double>();
        var start = 0;
        for (var i = 1; i <= sorted.Length; i++)
        {
            if (i == sorted.Length || sorted[i] - sorted[i - 1] > 0.05 * range)
            {
                var count = i - start;
                var spread = sorted[i - 1] - sorted[start];
                if (spread > 0.02 * range || count < 0.01 * sorted.Length)
                {
                    return null;
                }

                double sum = 0;
                for (var j = start; j < i; j++)
                {
                    sum += sorted[j];
                }

                centres.Add(sum / count);
                if (centres.Count > MaxClusters)
                {
                    return null;
                }

                start = i;
            }
        }

        return centres.Count >= 2 ? [.. centres] : null;
    }

    /// <summary>Regime centres from the rows' setting values (rows × settings), given each setting's cluster centres.</summary>
    public static double[][] Centroids(IReadOnlyList<double[]> settingRows, IReadOnlyList<double[]> clusters)
    {
        if (clusters.Count == 0)
        {
            return [[]];
        }

        var groups = new Dictionary<string, (double[] Sum, int Count)>(StringComparer.Ordinal);
        foreach (var row in settingRows)
        {
            var key = string.Join(',', row.Select((v, s) => Nearest1D(clusters[s], v)));
            if (!groups.TryGetValue(key, out var g))
            {
                g = (new double[row.Length], 0);
            }

            for (var s = 0; s < row.Length; s++)
            {
                g.Sum[s] += row[s];
            }

            groups[key] = (g.Sum, g.Count + 1);
        }

        var min = Math.Max(1, (int)(0.005 * settingRows.Count));
        var kept = groups.OrderBy(g => g.Key, StringComparer.Ordinal).Where(g => g.Value.Count >= min).ToList();
        if (kept.Count == 0)
        {
            kept = [groups.MaxBy(g => g.Value.Count)];
        }

        return kept.Select(g => g.Value.Sum.Select(v => v / g.Value.Count).ToArray()).ToArray();
    }

    /// <summary>Index of the regime whose centre is nearest to <paramref name="settings"/> (NaN settings ignored).</summary>
    public static int Assign(ReadOnlySpan<double> settings, double[][] centroids, double[] scales)
    {
        if (centroids.Length <= 1)
        {
            return 0;
        }

        var best = 0;
        var bestD = double.PositiveInfinity;
        for (var r = 0; r < centroids.Length; r++)
        {
            double d = 0;
            for (var s = 0; s < settings.Length; s++)
            {
                if (!double.IsNaN(settings[s]))
                {
                    var x = (settings[s] - centroids[r][s]) / scales[s];
                    d += x * x;
                }
            }

            if (d < bestD)
            {
                bestD = d;
                best = r;
            }
        }

        return best;
    }

    private static int Nearest1D(double[] centres, double v)
    {
        var best = 0;
        for (var i = 1; i < centres.Length; i++)
        {
            if (Math.Abs(v - centres[i]) < Math.Abs(v - centres[best]))
            {
                best = i;
            }
        }

        return best;
    }
}
