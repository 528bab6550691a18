using System.Globalization;
using EquipmentTwin.Cli.Evaluation;
using ScottPlot;

namespace EquipmentTwin.Cli.Bench;

/// <summary>The memory bench drawn with ScottPlot: heap against device count, with the same-run baseline and the 10k ≤ 1 GiB target.</summary>
public static class MemoryPlots
{
    public const string File = "memory-vs-devices.png";

    /// <summary>One measured count: heap after filling, and the baseline (pipeline, no device), both in bytes.</summary>
    public sealed record Point(int Devices, long AfterBytes, long BaselineBytes);

    public static void Write(string directory, IReadOnlyList<Point> points)
    {
        BacktestPlots.UseBundledFont();
        Directory.CreateDirectory(directory);
        const double MiB = 1024 * 1024;
        var plot = new Plot();
        var sorted = points.OrderBy(p => p.Devices).ToList();
        var heap = plot.Add.ScatterLine(sorted.Select(p => new Coordinates(p.Devices, p.AfterBytes / MiB)).ToList());
        heap.MarkerShape = MarkerShape.FilledCircle;
        heap.MarkerSize = 8;
        heap.LineWidth = 2;
        heap.Color = Color.FromHex("#1f77b4");
        heap.LegendText = "live twins with full windows (after a full GC)";
        var baseline = plot.Add.ScatterLine(sorted.Select(p => new Coordinates(p.Devices, p.BaselineBytes / MiB)).ToList());
        baseline.Color = Colors.Gray;
        baseline.LinePattern = LinePattern.Dashed;
        baseline.LegendText = "pipeline with no device (same run)";
        var target = plot.Add.ScatterLine(sorted.Select(p => new Coordinates(p.Devices, p.Devices / 10_000.0 * 1024)).ToList());
        target.Color = Color.FromHex("#2ca02c");
        target.LinePattern = LinePattern.Dotted;
        target.LegendText = "target: 1 GiB per 10,000 devices";
        plot.Axes.Bottom.SetTicks([.. sorted.Select(p => (double)p.Devices)], [.. sorted.Select(p => p.Devices.ToString("N0", CultureInfo.InvariantCulture))]);
        plot.Axes.SetLimitsY(0, sorted.Max(p => Math.Max(p.AfterBytes / MiB, p.Devices / 10_000.0 * 1024)) * 1.15);
        plot.Title("Managed heap against device count (machine shared)");
        plot.XLabel("live twins");
        plot.YLabel("heap (MiB)");
        plot.ShowLegend(Edge.Bottom);
        plot.SavePng(Path.Combine(directory, File), 900, 520);
    }
}
