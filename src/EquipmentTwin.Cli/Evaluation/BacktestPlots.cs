using System.Globalization;
using EquipmentTwin.Evaluation;
using ScottPlot;

namespace EquipmentTwin.Cli.Evaluation;

/// <summary>The backtest drawn as PNG plots with ScottPlot: fault timelines, lead times, band reliability, false alarms.</summary>
public static class BacktestPlots
{
    private static readonly string[] Engines = [.. Backtest.ViewNames];

    private static readonly Dictionary<string, (Color Color, MarkerShape Shape)> Style = new()
    {
        ["rules"] = (Color.FromHex("#1f77b4"), MarkerShape.FilledTriangleUp),
        ["physics"] = (Color.FromHex("#2ca02c"), MarkerShape.FilledSquare),
        ["anomaly"] = (Color.FromHex("#9467bd"), MarkerShape.FilledDiamond),
        ["fused"] = (Color.FromHex("#ff7f0e"), MarkerShape.FilledCircle),
    };

    /// <summary>A plot written by <see cref="WriteAll"/>: file name, title, and what it shows.</summary>
    public sealed record PlotFile(string FileName, string Title, string Caption);

    public static IReadOnlyList<PlotFile> WriteAll(BacktestReport report, string directory)
    {
        UseBundledFont();
        Directory.CreateDirectory(directory);
        return
        [
            Timelines(report, directory),
            LeadTimes(report, directory),
            BandReliability(report, directory),
            FalseAlarmsPerEngine(report, directory),
            FalseAlarmsPerScenario(report, directory),
        ];
    }

    /// <summary>Each fault as a row: onset, each engine's first alert, the fused forecast band (P10–P90) and the failure.</summary>
    public static PlotFile Timelines(BacktestReport r, string dir)
    {
        var start = Time(r.Start);
        var faults = r.Faults.OrderBy(f => f.Device, StringComparer.Ordinal).ThenBy(f => f.Onset, StringComparer.Ordinal).ToList();
        var plot = new Plot();
        var onsets = new List<Coordinates>();
        var failures = new List<Coordinates>();
        var alerts = Engines.ToDictionary(e => e, _ => new List<Coordinates>());
        for (var i = 0; i < faults.Count; i++)
        {
            var f = faults[i];
            var y = faults.Count - 1 - i;
            var onset = Days(f.Onset, start);
            var end = f.Failure ?? f.Repair ?? r.End;
            var line = plot.Add.Line(onset, y, Days(end, start), y);
            line.LineWidth = 2;
            line.Color = Colors.Gray.WithAlpha(0.6);
            onsets.Add(new Coordinates(onset, y));
            if (f.Failure is { } failure)
            {
                failures.Add(new Coordinates(Days(failure, start), y));
            }

            if (f.Band.GetValueOrDefault("fused") is { } band)
            {
                var b = plot.Add.Line(Days(band.P10, start), y - 0.3, Days(band.P90, start), y - 0.3);
                b.LineWidth = 4;
                b.Color = Style["fused"].Color.WithAlpha(0.45);
            }

            foreach (var engine in Engines)
            {
                if (f.FirstAlert.GetValueOrDefault(engine) is { } at)
                {
                    alerts[engine].Add(new Coordinates(Days(at, start), y + Offset(engine)));
                }
            }
        }

        AddMarkers(plot, onsets, MarkerShape.OpenCircle, 8, Colors.Black, "onset");
        foreach (var engine in Engines)
        {
            AddMarkers(plot, alerts[engine], Style[engine].Shape, 7, Style[engine].Color, $"first alert: {engine}");
        }

        AddMarkers(plot, failures, MarkerShape.Eks, 10, Colors.Red, "failure");
        plot.Axes.Left.SetTicks([.. Enumerable.Range(0, faults.Count).Select(i => (double)(faults.Count - 1 - i))], [.. faults.Select(f => $"{f.Device} {f.Scenario}")]);
        plot.Title("Fault timelines: onset, first alert per engine, fused forecast P10-P90 (band), failure");
        plot.XLabel($"days since {r.Start[..10]}");
        plot.ShowLegend(Edge.Right);
        plot.Axes.SetLimitsY(-1, Math.Max(1, faults.Count));
        return Save(plot, dir, "timelines.png", 1400, 120 + 26 * Math.Max(1, faults.Count), "Fault timelines",
            "One row per injected fault. Grey: from onset to failure (or repair, or the end of the run). Markers: each engine's first alert; the orange bar under a row is the fused alert's forecast P10 to P90 of the failure time.");
    }

    /// <summary>Lead times (days from first alert to failure) of every foreseen failure, per engine, with each engine's median.</summary>
    public static PlotFile LeadTimes(BacktestReport r, string dir)
    {
        var plot = new Plot();
        var random = new Random(r.Seed);
        for (var e = 0; e < Engines.Length; e++)
        {
            var engine = Engines[e];
            var leads = r.Faults.Select(f => f.LeadTimeDays.GetValueOrDefault(engine)).OfType<double>().OrderBy(x => x).ToList();
            var points = leads.Select(l => new Coordinates(e + (random.NextDouble() - 0.5) * 0.4, l)).ToList();
            AddMarkers(plot, points, Style[engine].Shape, 8, Style[engine].Color.WithAlpha(0.8), null);
            if (leads.Count > 0)
            {
                var median = leads[leads.Count / 2];
                var m = plot.Add.Line(e - 0.3, median, e + 0.3, median);
                m.LineWidth = 3;
                m.Color = Colors.Black;
            }
        }

        plot.Axes.Bottom.SetTicks([.. Enumerable.Range(0, Engines.Length).Select(i => (double)i)],
            [.. Engines.Select(e => $"{e} ({r.Engines[e].Foreseen}/{r.Engines[e].Failures})")]);
        plot.Title("Lead time of foreseen failures per engine (black: median)");
        plot.YLabel("days from first alert to failure");
        plot.Axes.SetLimitsX(-0.6, Engines.Length - 0.4);
        return Save(plot, dir, "lead-times.png", 900, 520, "Lead-time distributions",
            "Each point is a failure the engine alerted on before it happened; the label gives foreseen/failures.");
    }

    /// <summary>Observed share of failures inside the forecast's central 50/80/90 % against the nominal share: on the diagonal is calibrated.</summary>
    public static PlotFile BandReliability(BacktestReport r, string dir)
    {
        var plot = new Plot();
        var diagonal = plot.Add.Line(0, 0, 100, 100);
        diagonal.Color = Colors.Gray;
        diagonal.LinePattern = LinePattern.Dashed;
        diagonal.LegendText = "calibrated";
        foreach (var engine in Engines)
        {
            var s = r.Engines[engine];
            var points = new[] { (50.0, s.BandCoverage50), (80.0, s.BandCoverage80), (90.0, s.BandCoverage90) }
                .Where(p => p.Item2 is not null).Select(p => new Coordinates(p.Item1, 100 * p.Item2!.Value)).ToList();
            if (points.Count == 0)
            {
                continue;
            }

            var scatter = plot.Add.ScatterLine(points);
            scatter.Color = Style[engine].Color;
            scatter.MarkerShape = Style[engine].Shape;
            scatter.MarkerSize = 9;
            scatter.LineWidth = 2;
            scatter.LegendText = $"{engine} ({s.WithBand} with a band)";
        }

        plot.Title("Forecast band coverage (reliability)");
        plot.XLabel("nominal coverage of the central band, %");
        plot.YLabel("failures inside the band, %");
        plot.Axes.SetLimits(0, 100, 0, 100);
        plot.ShowLegend(Edge.Right);
        return Save(plot, dir, "band-coverage.png", 900, 560, "Band coverage",
            "For each engine that forecasts, the share of foreseen failures that fell inside the central 50, 80 and 90 % of the first forecast. Points under the diagonal: bands too narrow.");
    }

    public static PlotFile FalseAlarmsPerEngine(BacktestReport r, string dir)
    {
        var plot = new Plot();
        var values = Engines.Select(e => r.Engines[e].FalseAlarmsPer100DeviceMonths).ToArray();
        var bars = plot.Add.Bars(values);
        for (var i = 0; i < bars.Bars.Count; i++)
        {
            bars.Bars[i].FillColor = Style[Engines[i]].Color;
            bars.Bars[i].Label = string.Create(CultureInfo.InvariantCulture, $"{r.Engines[Engines[i]].FalseAlarms} ({r.Engines[Engines[i]].Misattributed} misattr.)");
        }

        bars.ValueLabelStyle.FontSize = 12;
        plot.Axes.Bottom.SetTicks([.. Enumerable.Range(0, Engines.Length).Select(i => (double)i)], Engines);
        plot.Axes.Margins(bottom: 0);
        plot.Title("False alarms per engine");
        plot.YLabel("false alarms per 100 device-months");
        return Save(plot, dir, "false-alarms-engines.png", 900, 480, "False alarms per engine",
            "Alerts with no machine fault behind the component they named, per 100 device-months; the label gives the count and how many of them were misattributed (the device had a fault, on another component).");
    }

    public static PlotFile FalseAlarmsPerScenario(BacktestReport r, string dir)
    {
        var scenarioOf = r.Faults.ToDictionary(f => f.Id, f => f.Scenario, StringComparer.Ordinal);
        var groups = r.FalseAlarms
            .GroupBy(a => a.Fault is { } id && scenarioOf.TryGetValue(id, out var s) ? s : "(no fault on the device)")
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToList();
        var plot = new Plot();
        var labels = groups.Select(g => g.Key).ToArray();
        for (var e = 0; e < Engines.Length; e++)
        {
            var engine = Engines[e];
            var bars = groups.Select((g, i) => new Bar
            {
                Position = i + (e - 1.5) * 0.2,
                Value = g.Count(a => a.View == engine),
                Size = 0.18,
                FillColor = Style[engine].Color,
            }).ToList();
            var plottable = plot.Add.Bars(bars);
            plottable.LegendText = engine;
        }

        plot.Axes.Bottom.SetTicks([.. Enumerable.Range(0, labels.Length).Select(i => (double)i)], labels);
        plot.Axes.Bottom.TickLabelStyle.Rotation = 30;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        plot.Axes.Margins(bottom: 0);
        plot.Title("False alarms per scenario of the fault on the device");
        plot.YLabel("false alarms");
        plot.ShowLegend(Edge.Right);
        return Save(plot, dir, "false-alarms-scenarios.png", 1100, 600, "False alarms per scenario",
            "False alarms grouped by the scenario of the fault that was developing on the same device (misattributed), or by none.");
    }

    private static void AddMarkers(Plot plot, List<Coordinates> points, MarkerShape shape, float size, Color color, string? legend)
    {
        if (points.Count == 0)
        {
            return;
        }

        var markers = plot.Add.Markers(points, shape, size, color);
        if (legend is not null)
        {
            markers.LegendText = legend;
        }
    }

    private static PlotFile Save(Plot plot, string dir, string name, int width, int height, string title, string caption)
    {
        plot.SavePng(Path.Combine(dir, name), width, height);
        return new PlotFile(name, title, caption);
    }

    private static double Offset(string engine) => engine switch
    {
        "rules" => 0.25,
        "physics" => 0.15,
        "anomaly" => 0.05,
        _ => -0.05,
    };

    private static DateTimeOffset Time(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    private static double Days(string text, DateTimeOffset start) => (Time(text) - start).TotalDays;

    /// <summary>Skia without fontconfig finds no system font by name; DejaVu Sans is loaded from its file when it is there.</summary>
    internal static void UseBundledFont()
    {
        const string path = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
        if (File.Exists(path))
        {
            Fonts.AddFontFile("DejaVu Sans", path);
            Fonts.Default = "DejaVu Sans";
        }
    }
}
