using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace EquipmentTwin.Analytics.Rul;

/// <summary>
/// Reads the generic run-to-failure CSV: a header <c>unit,time,&lt;feature&gt;,...</c>; <c>unit</c> any string,
/// <c>time</c> a number in any unit, features numbers (an empty cell or <c>NaN</c> is a missing value); each
/// unit's rows in strictly increasing time, at least two of them. Rows of different units may interleave.
/// Anything else is a <see cref="RulCsvException"/> naming the file, line and column.
/// </summary>
public static class RulCsvReader
{
    public static RulHistory Read(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new RulCsvException(path, 0, 0, "", $"cannot read the file: {ex.Message}");
        }

        return Parse(bytes, path);
    }

    public static RulHistory Parse(byte[] bytes, string source)
    {
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        using var reader = new StreamReader(new MemoryStream(bytes), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return Parse(reader, source, sha);
    }

    private static RulHistory Parse(TextReader reader, string source, string sha)
    {
        var headerLine = reader.ReadLine();
        while (headerLine is not null && headerLine.Trim().Length == 0)
        {
            headerLine = reader.ReadLine();
        }

        if (headerLine is null)
        {
            throw new RulCsvException(source, 1, 1, "", "the file is empty; expected a header row 'unit,time,<feature>,...'");
        }

        var lineNo = 1;
        var header = SplitLine(headerLine, source, lineNo);
        if (!Is(header[0], "unit"))
        {
            throw new RulCsvException(source, lineNo, 1, "", $"missing header: expected 'unit' as the first column name, found '{Shorten(header[0])}' (the first row must be 'unit,time,<feature>,...')");
        }

        if (header.Count < 2 || !Is(header[1], "time"))
        {
            throw new RulCsvException(source, lineNo, 2, "", $"expected 'time' as the second column name, found '{(header.Count < 2 ? "" : Shorten(header[1]))}'");
        }

        if (header.Count < 3)
        {
            throw new RulCsvException(source, lineNo, 3, "", "no feature columns after 'unit,time'");
        }

        var names = header.Skip(2).Select(h => h.Trim()).ToArray();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < names.Length; i++)
        {
            if (names[i].Length == 0)
            {
                throw new RulCsvException(source, lineNo, i + 3, "", "empty column name");
            }

            if (!seen.TryAdd(names[i], i + 3))
            {
                throw new RulCsvException(source, lineNo, i + 3, names[i], $"column name repeats column {seen[names[i]]}");
            }
        }

        var builders = new Dictionary<string, UnitBuilder>(StringComparer.Ordinal);
        var order = new List<UnitBuilder>();
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNo++;
            if (line.Trim().Length == 0)
            {
                continue;
            }

            var cells = SplitLine(line, source, lineNo);
            if (cells.Count != header.Count)
            {
                throw new RulCsvException(source, lineNo, Math.Min(cells.Count, header.Count) + 1, "", $"expected {header.Count} columns as in the header, found {cells.Count}");
            }

            var unit = cells[0].Trim();
            if (unit.Length == 0)
            {
                throw new RulCsvException(source, lineNo, 1, "unit", "empty unit name");
            }

            if (!TryNumber(cells[1], out var time) || double.IsNaN(time))
            {
                throw new RulCsvException(source, lineNo, 2, "time", $"'{Shorten(cells[1])}' is not a number");
            }

            if (!builders.TryGetValue(unit, out var b))
            {
                b = new UnitBuilder(unit, lineNo, names.Length);
                builders.Add(unit, b);
                order.Add(b);
            }
            else if (time <= b.Times[^1])
            {
                throw new RulCsvException(source, lineNo, 2, "time", string.Create(CultureInfo.InvariantCulture,
                    $"times of unit '{unit}' must increase: {time} follows {b.Times[^1]} (line {b.LastLine})"));
            }

            for (var f = 0; f < names.Length; f++)
            {
                var cell = cells[f + 2].Trim();
                double v;
                if (cell.Length == 0)
                {
                    v = double.NaN;
                }
                else if (!TryNumber(cell, out v))
                {
                    throw new RulCsvException(source, lineNo, f + 3, names[f], $"'{Shorten(cell)}' is not a number");
                }

                b.Columns[f].Add(double.IsInfinity(v) ? double.NaN : v);
            }

            b.Times.Add(time);
            b.LastLine = lineNo;
        }

        if (order.Count == 0)
        {
            throw new RulCsvException(source, lineNo + 1, 1, "", "no data rows after the header");
        }

        foreach (var b in order)
        {
            if (b.Times.Count < 2)
            {
                throw new RulCsvException(source, b.FirstLine, 1, "unit", $"unit '{b.Id}' has only one row; a history needs at least two");
            }
        }

        var units = order.Select(b => new RulUnit(b.Id, [.. b.Times], b.Columns.Select(c => c.ToArray()).ToArray())).ToList();
        return new RulHistory(source, sha, names, units);
    }

    private static bool Is(string cell, string name) => string.Equals(cell.Trim().TrimStart('\uFEFF'), name, StringComparison.OrdinalIgnoreCase);

    private static bool TryNumber(string cell, out double value)
    {
        var t = cell.Trim();
        return double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..37] + "...";

    /// <summary>Splits one CSV line; a field may be quoted ("a,b" and "" for a quote inside).</summary>
    private static List<string> SplitLine(string line, string source, int lineNo)
    {
        var cells = new List<string>();
        var sb = new StringBuilder();
        var i = 0;
        while (true)
        {
            sb.Clear();
            if (i < line.Length && line[i] == '"')
            {
                i++;
                while (true)
                {
                    if (i >= line.Length)
                    {
                        throw new RulCsvException(source, lineNo, cells.Count + 1, "", "a quoted field is not closed");
                    }

                    if (line[i] == '"')
                    {
                        if (i + 1 < line.Length && line[i + 1] == '"')
                        {
                            sb.Append('"');
                            i += 2;
                            continue;
                        }

                        i++;
                        break;
                    }

                    sb.Append(line[i++]);
                }

                while (i < line.Length && line[i] != ',')
                {
                    if (!char.IsWhiteSpace(line[i]))
                    {
                        throw new RulCsvException(source, lineNo, cells.Count + 1, "", "text after a closing quote");
                    }

                    i++;
                }
            }
            else
            {
                while (i < line.Length && line[i] != ',')
                {
                    sb.Append(line[i++]);
                }
            }

            cells.Add(sb.ToString());
            if (i >= line.Length)
            {
                return cells;
            }

            i++; // the comma
        }
    }

    private sealed class UnitBuilder(string id, int firstLine, int features)
    {
        public string Id { get; } = id;
        public int FirstLine { get; } = firstLine;
        public int LastLine { get; set; } = firstLine;
        public List<double> Times { get; } = [];
        public List<double>[] Columns { get; } = Enumerable.Range(0, features).Select(_ => new List<double>()).ToArray();
    }
}
