using System.Text.Json;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Evaluation;
using EquipmentTwin.Testing;

namespace EquipmentTwin.Cli.Tests;

/// <summary><c>twin calibrate-bands</c> on backtest reports written as <c>twin evaluate --json</c> writes them, in-process.</summary>
public sealed class CalibrateBandsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static string At(double days) => WireCodec.FormatRfc3339(T0.ToUnixTimeMilliseconds() + (long)(days * 86_400_000));

    /// <summary>A report with <paramref name="perModel"/> failures per model, each forecast with a fit P50 of 10 days; errors ln(t/P50) spread evenly around the model's bias.</summary>
    private static string WriteReport(string dir, int seed, int perModel, double shift = 0)
    {
        var faults = new List<FaultScore>();
        foreach (var (model, bias) in new[] { ("exponential:bearing", 1.5), ("linear:cold-head", -0.7) })
        {
            for (var k = 0; k < perModel; k++)
            {
                var error = bias + shift + 0.2 * (k - (perModel - 1) / 2.0) / perModel;
                faults.Add(new FaultScore($"{model}-{k}", "d", "c", "s", "machine", At(-5), At(10 * Math.Exp(error)), null,
                    new Dictionary<string, string?>(), new Dictionary<string, double?>(), new Dictionary<string, bool?>(),
                    new Dictionary<string, BandDto?> { ["physics"] = new BandDto(At(5), At(10), At(20), model, At(0)) }));
            }
        }

        var report = new BacktestReport("f", seed, 100, At(0), At(100), 1, 3, new Dictionary<string, EngineScore>(), faults, [], new BacktestTiming(0, 0, 0, 0));
        var path = Path.Combine(dir, $"cal-{seed}.json");
        File.WriteAllText(path, JsonSerializer.Serialize(report, Json));
        return path;
    }

    [Fact]
    public async Task Per_model_prints_a_table_for_each_model_with_enough_forecasts_beside_the_pooled_one()
    {
        using var dir = new TempDirectory("cli-calibrate-bands");
        var reports = $"{WriteReport(dir.Path, 201, 6)},{WriteReport(dir.Path, 202, 6)}";

        var (code, stdout, stderr) = await InProcess.TwinAsync("calibrate-bands", "--reports", reports, "--quantiles", "--per-model", "10");
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        Assert.Equal(24, root.GetProperty("forecasts").GetInt32());
        var models = root.GetProperty("models");
        Assert.Equal(["bearing", "cold-head"], models.EnumerateObject().Select(p => p.Name));
        Assert.Equal(12, models.GetProperty("bearing").GetProperty("forecasts").GetInt32());
        Assert.Equal(1.5, models.GetProperty("bearing").GetProperty("bandQuantiles").GetProperty("0.50").GetDouble(), 6);
        Assert.Equal(-0.7, models.GetProperty("cold-head").GetProperty("medianError").GetDouble(), 6);
        Assert.Empty(root.GetProperty("pooledOnly").EnumerateObject());

        // Above the count every model has: all pooled.
        (code, stdout, _) = await InProcess.TwinAsync("calibrate-bands", "--reports", reports, "--quantiles", "--per-model", "13");
        Assert.Equal(0, code);
        using var pooled = JsonDocument.Parse(stdout);
        Assert.Equal(12, pooled.RootElement.GetProperty("pooledOnly").GetProperty("bearing").GetInt32());
    }

    [Fact]
    public async Task Per_model_and_leave_one_out_need_quantiles_and_a_missing_report_is_named()
    {
        using var dir = new TempDirectory("cli-calibrate-bands");
        var report = WriteReport(dir.Path, 201, 6);

        var (code, _, stderr) = await InProcess.TwinAsync("calibrate-bands", "--reports", report, "--per-model", "5");
        Assert.Equal(2, code);
        Assert.Contains("--per-model: only with --quantiles", stderr);

        (code, _, stderr) = await InProcess.TwinAsync("calibrate-bands", "--reports", report, "--quantiles", "--per-model", "2");
        Assert.Equal(2, code);
        Assert.Contains("--per-model 2 must be at least 3", stderr);

        (code, _, stderr) = await InProcess.TwinAsync("calibrate-bands", "--reports", report, "--leave-one-out");
        Assert.Equal(2, code);
        Assert.Contains("--leave-one-out: only with --quantiles", stderr);

        (code, _, stderr) = await InProcess.TwinAsync("calibrate-bands", "--reports", report, "--quantiles", "--leave-one-out");
        Assert.Equal(1, code);
        Assert.Contains("at least two runs", stderr);

        (code, _, stderr) = await InProcess.TwinAsync("calibrate-bands", "--reports", Path.Combine(dir.Path, "gone.json"), "--quantiles");
        Assert.Equal(2, code);
        Assert.Contains("gone.json", stderr);
    }

    [Fact]
    public async Task Leave_one_out_prints_the_held_out_coverage_of_each_report()
    {
        using var dir = new TempDirectory("cli-calibrate-bands");
        // The same errors on each run, moved 0.001 further late from one run to the next.
        var reports = string.Join(',', new[] { 201, 202, 203 }.Select(seed => WriteReport(dir.Path, seed, 6, 0.001 * (seed - 201))));

        var (code, stdout, stderr) = await InProcess.TwinAsync("calibrate-bands", "--reports", reports, "--quantiles", "--leave-one-out", "--per-model", "3");
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var seeds = doc.RootElement.GetProperty("seeds").EnumerateArray().ToList();
        Assert.Equal([201, 202, 203], seeds.Select(s => s.GetProperty("seed").GetInt32()));
        Assert.All(seeds, s => Assert.Equal(12, s.GetProperty("forecasts").GetInt32()));
        Assert.Equal(36, doc.RootElement.GetProperty("forecasts").GetInt32());
        // 202 lies inside the span of 201 and 203, so its 90 % band (the others' extremes) holds all; 201's earliest and
        // 203's latest error per model fall just outside.
        Assert.Equal([0.833, 1.0, 0.833], seeds.Select(s => s.GetProperty("coverage").GetProperty("90").GetDouble()));
    }

    [Fact]
    public async Task One_spread_is_printed_without_quantiles()
    {
        using var dir = new TempDirectory("cli-calibrate-bands");
        var (code, stdout, stderr) = await InProcess.TwinAsync("calibrate-bands", "--reports", WriteReport(dir.Path, 201, 6), "--spread-used", "0.5");
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal(12, doc.RootElement.GetProperty("forecasts").GetInt32());
        Assert.Equal(0.5, doc.RootElement.GetProperty("spreadUsed").GetDouble());
    }
}
