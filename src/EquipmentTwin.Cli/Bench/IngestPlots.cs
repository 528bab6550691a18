using EquipmentTwin.Cli.Evaluation;
using ScottPlot;

namespace EquipmentTwin.Cli.Bench;

/// <summary>The ingest sweep drawn with ScottPlot: records/s against publisher count and against batch size, with the same-run raw append baseline.</summary>
public static class IngestPlots
{
    public const string PublishersFile = "ingest-vs-publishers.png";
    public const string BatchSizeFile = "ingest-vs-batch-size.png";

    public static void Write(string directory, IReadOnlyList<IngestBench.SweepPoint> sweep, double rawNoIndex)
    {
        BacktestPlots.UseBundledFont();
        Directory.CreateDirectory(directory);
        Draw(Path.Combine(directory, PublishersFile), [.. sweep.Where(p => p.Varied == "publishers").Select(p => new Coordinates(p.Clients, p.RecordsPerSecond))],
            rawNoIndex, "Ingest against publisher count", "MQTT publishers (QoS 1)", $"batch of {sweep.FirstOrDefault(p => p.Varied == "publishers")?.Records ?? 0} records");
        Draw(Path.Combine(directory, BatchSizeFile), [.. sweep.Where(p => p.Varied == "records").Select(p => new Coordinates(p.Records, p.RecordsPerSecond))],
            rawNoIndex, "Ingest against batch size", "records per batch", $"{sweep.FirstOrDefault(p => p.Varied == "records")?.Clients ?? 0} publishers");
    }

    private static void Draw(string path, List<Coordinates> points, double rawNoIndex, string title, string xLabel, string series)
    {
        var plot = new Plot();
        if (points.Count > 0)
        {
            var line = plot.Add.ScatterLine(points);
            line.MarkerShape = MarkerShape.FilledCircle;
            line.MarkerSize = 8;
            line.LineWidth = 2;
            line.Color = Color.FromHex("#1f77b4");
            line.LegendText = $"end to end, {series} (one run per point)";
            plot.Axes.Bottom.SetTicks([.. points.Select(p => p.X)], [.. points.Select(p => p.X.ToString("0", System.Globalization.CultureInfo.InvariantCulture))]);
        }

        var baseline = plot.Add.HorizontalLine(rawNoIndex);
        baseline.Color = Colors.Gray;
        baseline.LinePattern = LinePattern.Dashed;
        baseline.LegendText = "raw SQLite append, no index (same run)";
        plot.Axes.SetLimitsY(0, Math.Max(rawNoIndex, points.Count > 0 ? points.Max(p => p.Y) : 0) * 1.15);
        plot.Title(title + " (machine shared)");
        plot.XLabel(xLabel);
        plot.YLabel("records/s");
        plot.ShowLegend(Edge.Bottom);
        plot.SavePng(path, 900, 520);
    }
}
