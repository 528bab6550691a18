using System.Globalization;
using System.Net;
using System.Text;
using EquipmentTwin.Evaluation;

namespace EquipmentTwin.Cli.Evaluation;

/// <summary>
/// <c>twin evaluate --report DIR</c>: index.html with the figures and the plots beside it as PNG. Self-contained: inline
/// style, images by relative file name, no script, nothing fetched from the network.
/// </summary>
public static class BacktestHtmlReport
{
    public static string Write(BacktestReport r, string directory)
    {
        Directory.CreateDirectory(directory);
        var plots = BacktestPlots.WriteAll(r, directory);
        var inv = CultureInfo.InvariantCulture;
        var html = new StringBuilder();
        html.Append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Backtest of ").Append(E(r.Fleet)).Append("</title>\n<style>")
            .Append("body{font-family:system-ui,sans-serif;margin:2rem;max-width:1400px;color:#222}table{border-collapse:collapse;margin:1rem 0}")
            .Append("th,td{border:1px solid #ccc;padding:.3rem .6rem}td.n{text-align:right;font-variant-numeric:tabular-nums}th{background:#f3f3f3}")
            .Append("img{max-width:100%;border:1px solid #ddd}figure{margin:2rem 0}figcaption{color:#555;max-width:60rem}</style></head><body>\n");
        html.Append("<h1>Backtest of ").Append(E(r.Fleet)).Append("</h1>\n<p>")
            .Append(E(string.Create(inv, $"{r.Devices} devices, {r.Days:0.#} days from {r.Start[..10]} to {r.End[..10]}, seed {r.Seed}, {r.DeviceMonths:0} device-months; {r.Timing.Records:N0} records in {r.Timing.Seconds:0.0} s.")))
            .Append("</p>\n");

        html.Append("<h2>Engines</h2>\n<table><thead><tr><th>engine</th><th>recall</th><th>foreseen</th><th>lead median d</th><th>lead P10 d</th><th>false alarms</th><th>false / 100 device-months</th><th>misattributed</th><th>band 50 %</th><th>band 80 %</th><th>band 90 %</th></tr></thead><tbody>\n");
        foreach (var name in Backtest.ViewNames)
        {
            var s = r.Engines[name];
            html.Append("<tr><td>").Append(E(name)).Append("</td>")
                .Append(N(s.Recall.ToString("P1", inv))).Append(N($"{s.Foreseen}/{s.Failures}")).Append(N(Num(s.LeadTimeDaysMedian))).Append(N(Num(s.LeadTimeDaysP10)))
                .Append(N(s.FalseAlarms.ToString(inv))).Append(N(s.FalseAlarmsPer100DeviceMonths.ToString("0.00", inv))).Append(N(s.Misattributed.ToString(inv)))
                .Append(N(Pct(s.BandCoverage50))).Append(N(Pct(s.BandCoverage80))).Append(N(Pct(s.BandCoverage90))).Append("</tr>\n");
        }

        html.Append("</tbody></table>\n");
        if (r.Scenarios.Count > 0)
        {
            html.Append("<h2>Scenarios</h2>\n<table><thead><tr><th>scenario</th><th>engine</th><th>kind</th><th>faults</th><th>failures</th><th>foreseen</th><th>recall</th><th>lead median d</th><th>misattributed</th></tr></thead><tbody>\n");
            foreach (var s in r.Scenarios.OrderBy(s => s.Scenario, StringComparer.Ordinal).ThenBy(s => Array.IndexOf(Backtest.ViewNames, s.Engine)))
            {
                html.Append("<tr><td>").Append(E(s.Scenario)).Append("</td><td>").Append(E(s.Engine)).Append("</td><td>").Append(E(s.Kind)).Append("</td>")
                    .Append(N(s.Faults.ToString(inv))).Append(N(s.Failures.ToString(inv))).Append(N(s.Foreseen.ToString(inv)))
                    .Append(N(s.Recall is { } rc ? rc.ToString("P0", inv) : "-")).Append(N(Num(s.LeadTimeDaysMedian))).Append(N(s.Misattributed.ToString(inv))).Append("</tr>\n");
            }

            html.Append("</tbody></table>\n");
        }

        foreach (var plot in plots)
        {
            html.Append("<figure><h2>").Append(E(plot.Title)).Append("</h2><img src=\"").Append(E(plot.FileName)).Append("\" alt=\"").Append(E(plot.Title))
                .Append("\"><figcaption>").Append(E(plot.Caption)).Append("</figcaption></figure>\n");
        }

        var fused = r.FalseAlarms.Where(f => f.View == "fused").ToList();
        html.Append("<h2>Fused false alarms (").Append(fused.Count).Append(")</h2>\n<table><thead><tr><th>opened</th><th>device</th><th>component</th><th>severity</th><th>summary</th><th>misattributed</th></tr></thead><tbody>\n");
        foreach (var f in fused.Take(200))
        {
            html.Append("<tr><td>").Append(E(f.Opened[..16])).Append("</td><td>").Append(E(f.Device)).Append("</td><td>").Append(E(f.Component)).Append("</td><td>")
                .Append(E(f.Severity)).Append("</td><td>").Append(E(f.Summary)).Append("</td><td>").Append(f.Misattributed ? "yes" : "").Append("</td></tr>\n");
        }

        html.Append("</tbody></table>\n<p>Made by <code>twin evaluate</code>; the figures are defined in docs/models.md.</p>\n</body></html>\n");
        var path = Path.Combine(directory, "index.html");
        File.WriteAllText(path, html.ToString());
        return path;
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private static string N(string text) => "<td class=\"n\">" + E(text) + "</td>";

    private static string Num(double? v) => v is { } x ? x.ToString("0.0", CultureInfo.InvariantCulture) : "-";

    private static string Pct(double? v) => v is { } x ? x.ToString("P0", CultureInfo.InvariantCulture) : "-";
}
