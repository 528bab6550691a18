using System.Text.Json;
using EquipmentTwin.Cli.Progress;
using EquipmentTwin.Testing;
using Spectre.Console;

namespace EquipmentTwin.Cli.Tests;

/// <summary>Progress of long jobs: plain lines when redirected, bars on a terminal, never on stdout or in --json output.</summary>
public sealed class ProgressTests
{
    [Fact]
    public void Redirected_progress_writes_a_line_per_step_and_a_closing_line_with_the_rate()
    {
        using var lines = new StringWriter();
        using (var progress = ConsoleProgress.Start("twin test", lines, TimeSpan.FromHours(1)))
        {
            progress.Step("reading input");
            progress.Step("simulating 3 devices", 30, "days");
            progress.Report(30);
        }

        var text = lines.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal("twin test: reading input", text[0]);
        Assert.Equal("twin test: simulating 3 devices", text[1]);
        Assert.StartsWith("twin test: simulating 3 devices: 30 days in 0:00 (", text[2], StringComparison.Ordinal);
        Assert.EndsWith("days/s)", text[2], StringComparison.Ordinal);
        Assert.Equal(3, text.Length);
    }

    [Fact]
    public async Task Redirected_progress_repeats_a_line_with_percentage_rate_and_eta_while_a_step_runs()
    {
        var lines = new LockedWriter();
        using var progress = ConsoleProgress.Start("twin test", lines, TimeSpan.FromMilliseconds(50));
        progress.Step("simulating", 100, "days");
        progress.Report(25);
        await Eventually.HoldsAsync(() => lines.ToString().Contains("25%", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "a periodic line");
        var periodic = lines.ToString().Split('\n').First(l => l.Contains("25%", StringComparison.Ordinal));
        Assert.Matches(@"^twin test: simulating: 25% \(25/100 days, [\d.,]+ days/s, ETA (\d+:\d\d|unknown), \d+:\d\d elapsed\)", periodic.Trim());
    }

    [Fact]
    public void On_a_terminal_each_step_is_a_bar_that_ends_full()
    {
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.Yes,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.Yes,
            Out = new AnsiConsoleOutput(output),
        });
        using (var progress = ConsoleProgress.StartBars("twin test", console))
        {
            progress.Step("collecting healthy rows", 10, "days");
            progress.Report(4);
            progress.Step("fitting");
        }

        var text = output.ToString();
        Assert.Contains("collecting healthy rows", text, StringComparison.Ordinal);
        Assert.Contains("fitting", text, StringComparison.Ordinal);
        Assert.Contains("100%", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Evaluate_keeps_progress_on_stderr_and_out_of_stdout_and_the_json_file()
    {
        using var dir = new TempDirectory("twin-progress");
        var json = Path.Combine(dir.Path, "report.json");

        var (code, stdout, stderr) = await CliProcess.RunAsync(CliProcess.Twin, dir.Path, TimeSpan.FromMinutes(3),
            "evaluate", "--fleet", RepoPaths.Seeds("fleets", "demo.json"), "--days", "12", "--seed", "5", "--json", json);

        Assert.True(code == 0, stderr);
        Assert.Contains("twin evaluate: simulating", stderr, StringComparison.Ordinal);
        Assert.Matches(@"twin evaluate: simulating [^\n]*: 12 days in \d+:\d\d", stderr);
        Assert.DoesNotContain("twin evaluate:", stdout, StringComparison.Ordinal);
        Assert.Contains("fused", stdout, StringComparison.Ordinal);
        using var report = JsonDocument.Parse(File.ReadAllText(json));
        Assert.True(report.RootElement.TryGetProperty("engines", out _));
    }

    [Fact]
    public async Task Simulate_reports_simulated_days_on_stderr_and_only_the_summary_on_stdout()
    {
        using var dir = new TempDirectory("twin-progress");

        var (code, stdout, stderr) = await CliProcess.RunAsync(CliProcess.Twin, dir.Path, TimeSpan.FromMinutes(2),
            "simulate", "--fleet", RepoPaths.Seeds("fleets", "demo.json"), "--days", "3", "--detail", "summary");

        Assert.True(code == 0, stderr);
        Assert.Matches(@"twin simulate: simulating \d+ devices for 3 days: 3 days in \d+:\d\d", stderr);
        Assert.DoesNotContain("twin simulate:", stdout, StringComparison.Ordinal);
        Assert.StartsWith("devices", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rul_fit_names_its_steps_on_stderr_and_prints_its_figures_on_stdout()
    {
        using var dir = new TempDirectory("twin-progress");

        var (code, stdout, stderr) = await CliProcess.RunAsync(CliProcess.Twin, dir.Path, TimeSpan.FromMinutes(2),
            "rul", "fit", "--train", RepoPaths.Seeds("rul", "pumps-train.csv"), "--model", Path.Combine(dir.Path, "model"));

        Assert.True(code == 0, stderr);
        Assert.Contains("twin rul fit: training ", stderr, StringComparison.Ordinal);
        Assert.Contains("twin rul fit: calibrating the interval on ", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("twin rul fit:", stdout, StringComparison.Ordinal);
        Assert.Contains("validation", stdout, StringComparison.Ordinal);
    }

    /// <summary>A writer the progress timer and the test read from at once.</summary>
    private sealed class LockedWriter : StringWriter
    {
        private readonly Lock _gate = new();

        public override void WriteLine(string? value)
        {
            lock (_gate)
            {
                base.WriteLine(value);
            }
        }

        public override string ToString()
        {
            lock (_gate)
            {
                return base.ToString();
            }
        }
    }
}
