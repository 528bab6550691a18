using System.Text.Json;

namespace EquipmentTwin.Storage.Influx;

/// <summary>One series of a query result: its columns, its rows and its tags (with GROUP BY tag).</summary>
public sealed record InfluxSeries(string Name, IReadOnlyList<string> Columns, IReadOnlyList<JsonElement[]> Values)
{
    public int Column(string name)
    {
        for (var i = 0; i < Columns.Count; i++)
        {
            if (Columns[i] == name)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Parses <c>{"results":[{"series":[…]}]}</c>; an <c>error</c> in the result throws.</summary>
    public static IReadOnlyList<InfluxSeries> Parse(byte[] json)
    {
        using var doc = JsonDocument.Parse(json);
        var list = new List<InfluxSeries>();
        if (!doc.RootElement.TryGetProperty("results", out var results))
        {
            if (doc.RootElement.TryGetProperty("error", out var topError))
            {
                throw new InfluxException("InfluxDB query failed: " + topError.GetString(), 200);
            }

            return list;
        }

        foreach (var result in results.EnumerateArray())
        {
            if (result.TryGetProperty("error", out var error))
            {
                throw new InfluxException("InfluxDB query failed: " + error.GetString(), 200);
            }

            if (!result.TryGetProperty("series", out var series))
            {
                continue;
            }

            foreach (var s in series.EnumerateArray())
            {
                var columns = s.GetProperty("columns").EnumerateArray().Select(c => c.GetString() ?? "").ToArray();
                var rows = new List<JsonElement[]>();
                if (s.TryGetProperty("values", out var values))
                {
                    foreach (var row in values.EnumerateArray())
                    {
                        rows.Add(row.EnumerateArray().Select(v => v.Clone()).ToArray());
                    }
                }

                list.Add(new InfluxSeries(s.TryGetProperty("name", out var n) ? n.GetString() ?? "" : "", columns, rows));
            }
        }

        return list;
    }
}
