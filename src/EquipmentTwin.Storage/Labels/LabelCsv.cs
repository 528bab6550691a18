using System.Globalization;
using System.Text;
using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Storage.Labels;

/// <summary>
/// The label CSV (docs/models.md): header <c>kind,device,component,at,until,alert,who,recorded_at,source,comment</c>,
/// times RFC 3339 UTC, <c>until</c>, <c>alert</c>, <c>recorded_at</c>, <c>source</c> and <c>comment</c> may be empty.
/// Reading refuses a bad row with <c>FILE: line L, column C (name): reason</c>.
/// </summary>
public static class LabelCsv
{
    public static readonly string[] Columns = ["kind", "device", "component", "at", "until", "alert", "who", "recorded_at", "source", "comment"];

    public static string Write(IEnumerable<Label> labels)
    {
        var sb = new StringBuilder(string.Join(',', Columns)).Append('\n');
        foreach (var l in labels)
        {
            string?[] cells = [l.Kind, l.DeviceId, l.Component, WireCodec.FormatRfc3339(l.AtMs), l.UntilMs is { } u ? WireCodec.FormatRfc3339(u) : "", l.AlertId ?? "", l.Who,
                WireCodec.FormatRfc3339(l.RecordedAt.ToUnixTimeMilliseconds()), l.Source, l.Comment?.ReplaceLineEndings(" ") ?? ""];
            sb.AppendJoin(',', cells.Select(Quote)).Append('\n');
        }

        return sb.ToString();
    }

    /// <summary>Reads a label file; rows without a source get <paramref name="defaultSource"/>, without recorded_at <paramref name="now"/>.</summary>
    public static IReadOnlyList<Label> Read(string path, string defaultSource, DateTimeOffset now)
    {
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0 || Split(lines[0].TrimStart('\uFEFF')) is var header && !header.SequenceEqual(Columns))
        {
            throw new InvalidDataException($"{path}: line 1: the header must be {string.Join(',', Columns)}");
        }

        var labels = new List<Label>();
        for (var i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length == 0)
            {
                continue;
            }

            var line = i + 1;
            var cells = Split(lines[i]);
            if (cells.Count != Columns.Length)
            {
                throw new InvalidDataException($"{path}: line {line}: {cells.Count} cells, the header has {Columns.Length}");
            }

            string Need(int col) => cells[col] is { Length: > 0 } v ? v : throw Bad(path, line, col, "must not be empty");
            if (!Label.Kinds.Contains(cells[0]))
            {
                throw Bad(path, line, 0, $"'{cells[0]}' is not one of {string.Join(", ", Label.Kinds)}");
            }

            labels.Add(new Label(cells[0], Need(1), Need(2), Time(path, line, 3, Need(3)), cells[4].Length > 0 ? Time(path, line, 4, cells[4]) : null,
                cells[5].Length > 0 ? cells[5] : null, Need(6), cells[7].Length > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(Time(path, line, 7, cells[7])) : now,
                cells[8].Length > 0 ? cells[8] : defaultSource, cells[9].Length > 0 ? cells[9] : null));
        }

        return labels;
    }

    private static long Time(string path, int line, int col, string text) =>
        WireCodec.TryParseRfc3339(text, out var t) ? t.ToUnixTimeMilliseconds() : throw Bad(path, line, col, $"'{text}' is not an RFC 3339 time");

    private static InvalidDataException Bad(string path, int line, int col, string reason) =>
        new($"{path}: line {line}, column {col + 1} ({Columns[col]}): {reason}");

    private static string Quote(string? cell) =>
        cell is null ? "" : cell.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : cell;

    private static List<string> Split(string line)
    {
        var cells = new List<string>();
        var sb = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var ch = line[i];
            if (quoted)
            {
                if (ch == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    sb.Append('"');
                    i++;
                }
                else if (ch == '"')
                {
                    quoted = false;
                }
                else
                {
                    sb.Append(ch);
                }
            }
            else if (ch == '"')
            {
                quoted = true;
            }
            else if (ch == ',')
            {
                cells.Add(sb.ToString());
                sb.Clear();
            }
            else
            {
                sb.Append(ch);
            }
        }

        cells.Add(sb.ToString());
        return cells;
    }
}
