using System.Text.RegularExpressions;
using EquipmentTwin.Testing;
using SkiaSharp;

namespace EquipmentTwin.Cli.Tests;

/// <summary><c>twin evaluate --report DIR</c>: a self-contained HTML report whose plots decode as images.</summary>
public sealed class EvaluateReportTests
{
    [Fact]
    public async Task Evaluate_report_writes_html_with_decodable_png_plots_and_only_local_references()
    {
        using var dir = new TempDirectory("twin-report");
        var reportDir = Path.Combine(dir.Path, "rep");

        var (code, stdout, stderr) = await InProcess.TwinAsync("evaluate", "--fleet", RepoPaths.Seeds("fleets", "demo.json"), "--days", "20", "--seed", "5", "--report", reportDir, "--json", Path.Combine(dir.Path, "report.json"));

        Assert.True(code == 0, stderr);
        // The table gives the share of first and of daily forecasts each band held, as the JSON does.
        using (var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.Path, "report.json"))))
        {
            var physics = json.RootElement.GetProperty("engines").GetProperty("physics");
            string Pct(string field) => physics.GetProperty(field).ValueKind == System.Text.Json.JsonValueKind.Null ? "-" : Math.Round(100 * physics.GetProperty(field).GetDouble()).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var row = stdout.Split('\n').Single(l => l.StartsWith("physics  ", StringComparison.Ordinal));
            Assert.EndsWith($"{Pct("dailyBandCoverage50")}/{Pct("dailyBandCoverage80")}/{Pct("dailyBandCoverage90")}", row.TrimEnd());
            Assert.Contains(" daily 50/80/90 %", stdout);
        }

        // One physics forecast on this fleet: any share from none to all is what a calibrated band does with one.
        Assert.Contains("physics bands: 1 first forecast; a calibrated band would hold 50/80/90 % in 0–100 / 0–100 / 0–100 nine runs in ten", stdout);
        var html = File.ReadAllText(Path.Combine(reportDir, "index.html"));
        var pngs = Directory.GetFiles(reportDir, "*.png");
        Assert.True(pngs.Length >= 4, $"{pngs.Length} plots");
        foreach (var png in pngs)
        {
            using var bitmap = SKBitmap.Decode(png);
            Assert.True(bitmap is { Width: > 100, Height: > 100 }, $"{png} does not decode as an image");
            Assert.Contains($"src=\"{Path.GetFileName(png)}\"", html);
        }

        var references = Regex.Matches(html, "(?:src|href)=\"([^\"]*)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(references);
        Assert.All(references, r => Assert.True(File.Exists(Path.Combine(reportDir, r)), $"'{r}' is not a file beside the report"));
        Assert.Contains("<table", html);
    }
}
