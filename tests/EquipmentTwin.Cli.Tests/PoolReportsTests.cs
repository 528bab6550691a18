using System.Text.Json;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Evaluation;
using EquipmentTwin.Testing;
using static EquipmentTwin.Testing.ReportTimes;

namespace EquipmentTwin.Cli.Tests;

/// <summary><c>twin pool-reports</c> on reports written as <c>twin evaluate --json</c> writes them, in-process.</summary>
public sealed class PoolReportsTests
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Writes a run whose every view foresaw <paramref name="foreseen"/> of 4 failures (10 d ahead each) with 2 of 4 first forecasts in the 80 % band.</summary>
    private static string Write(string dir, int seed, int foreseen)
    {
        var faults = Enumerable.Range(0, 4).Select(k => new FaultScore($"f{k}", "d", "c", "mri-cold-head-wear", "machine", At(0), At(50), null,
            new Dictionary<string, string?>(), Backtest.ViewNames.ToDictionary(v => v, v => k < foreseen ? 10.0 : (double?)null), new Dictionary<string, bool?>(), new Dictionary<string, BandDto?>())).ToList();
        var score = new EngineScore(foreseen / 4.0, 10, 10, 0, 0.5, foreseen, 4, 0, foreseen, BandCoverage50: 0.25, BandCoverage90: 0.75, WithBand: 4);
        var report = new BacktestReport("reference", seed, 270, At(0), At(270), 3, 26.6, Backtest.ViewNames.ToDictionary(v => v, _ => score), faults, [], new BacktestTiming(1, 1, 1, 0))
        {
            Scenarios = Backtest.ViewNames.Select(v => new ScenarioScore("mri-cold-head-wear", v, "machine", 4, 4, foreseen, foreseen / 4.0, 10, 10, 0, faults.Select(f => f.LeadTimeDays[v]).ToList())).ToList(),
        };
        var path = Path.Combine(dir, $"report-{seed}.json");
        File.WriteAllText(path, JsonSerializer.Serialize(report, Json));
        return path;
    }

    [Fact]
    public async Task Pools_runs_into_one_table_and_writes_every_engines_figures_with_intervals_and_each_run()
    {
        using var dir = new TempDirectory("cli-pool-reports");
        var reports = $"{Write(dir.Path, 981, 4)},{Write(dir.Path, 982, 2)}";
        var json = Path.Combine(dir.Path, "out", "pooled.json");

        var (code, stdout, stderr) = await InProcess.TwinAsync("pool-reports", "--reports", reports, "--json", json, "--view", "physics");

        Assert.True(code == 0, stderr);
        Assert.Contains("2 runs of reference (seeds 981, 982)", stdout);
        Assert.Contains("physics, per run:", stdout);
        Assert.Matches(@"fused\s+75\.0 %\s+6/8", stdout);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var root = doc.RootElement;
        Assert.Equal(0.75, root.GetProperty("engines").GetProperty("fused").GetProperty("recall").GetDouble());
        Assert.Equal(0.5, root.GetProperty("engines").GetProperty("physics").GetProperty("bandCoverage80").GetDouble());
        Assert.Equal(8, root.GetProperty("engines").GetProperty("rules").GetProperty("withBand").GetInt32());
        Assert.Equal(2, root.GetProperty("seedIntervals").GetProperty("anomaly").GetProperty("recall").GetArrayLength());
        Assert.Equal([981, 982], root.GetProperty("perRun").GetProperty("fused").EnumerateArray().Select(r => r.GetProperty("seed").GetInt32()));
        Assert.Equal(53.2, root.GetProperty("deviceMonths").GetDouble(), 3);
        var scenario = root.GetProperty("scenarios").EnumerateArray().First(s => s.GetProperty("engine").GetString() == "fused");
        Assert.Equal(6, scenario.GetProperty("foreseen").GetInt32());
    }

    [Fact]
    public async Task A_missing_file_a_file_that_is_no_report_and_a_run_given_twice_are_named()
    {
        using var dir = new TempDirectory("cli-pool-reports");
        var good = Write(dir.Path, 981, 4);
        var broken = Path.Combine(dir.Path, "broken.json");
        File.WriteAllText(broken, "{\"engines\": [1, 2");

        var (code, _, stderr) = await InProcess.TwinAsync("pool-reports", "--reports", $"{good},{Path.Combine(dir.Path, "none.json")}");
        Assert.Equal(2, code);
        Assert.Contains("none.json", stderr);

        (code, _, stderr) = await InProcess.TwinAsync("pool-reports", "--reports", $"{good},{broken}");
        Assert.Equal(1, code);
        Assert.Contains("broken.json", stderr);
        Assert.Contains("not a backtest report", stderr);

        (code, _, stderr) = await InProcess.TwinAsync("pool-reports", "--reports", $"{good},{good}");
        Assert.Equal(1, code);
        Assert.Contains("seed 981", stderr);

        (code, _, stderr) = await InProcess.TwinAsync("pool-reports", "--reports", good, "--view", "everything");
        Assert.Equal(2, code);
        Assert.Contains("everything", stderr);

        (code, _, _) = await InProcess.TwinAsync("pool-reports");
        Assert.Equal(2, code);
    }
}
