using System.Text.Json;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Evaluation;
using EquipmentTwin.Testing;
using static EquipmentTwin.Testing.ReportTimes;

namespace EquipmentTwin.Cli.Tests;

/// <summary><c>twin calibrate-bands</c> on backtest reports written as <c>twin evaluate --json</c> writes them, in-process.</summary>
public sealed class CalibrateBandsTests
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>A report with <paramref name="perModel"/> failures per model, each forecast with a fit P50 of 10 days; errors ln(t/P50) spread evenly around the model's bias.</summary>
    private static string WriteReport(string dir, int seed, int perModel, double shift = 0) =>
        Write(dir, seed, new[] { ("exponential:bearing", 1.5), ("linear:cold-head", -0.7) }
            .SelectMany(m => Enumerable.Range(0, perModel).Select(k => (m.Item1, m.Item2 + shift + 0.2 * (k - (perModel - 1) / 2.0) / perModel))));

    /// <summary>A report of <paramref name="n"/> cold-head forecasts with a fit P50 of 10 days, errors evenly spread over bias ± 0.3.</summary>
    private static string WriteColdHeadReport(string dir, int seed, int n, double bias) =>
        Write(dir, seed, Enumerable.Range(0, n).Select(k => ("linear:mri-coldhead-stage2", bias + 0.6 * (k + 0.5) / n - 0.3)));

    /// <summary>Writes a report whose forecasts each had a fit P50 of 10 days and a failure e^error days later, as <c>twin evaluate --json</c> writes it.</summary>
    private static string Write(string dir, int seed, IEnumerable<(string Model, double Error)> forecasts)
    {
        var faults = forecasts.Select((f, k) => new FaultScore($"f{k}", "d", "c", "s", "machine", At(-5), At(10 * Math.Exp(f.Error)), null,
            new Dictionary<string, string?>(), new Dictionary<string, double?>(), new Dictionary<string, bool?>(),
            new Dictionary<string, BandDto?> { ["physics"] = new BandDto(At(5), At(10), At(20), f.Model, At(0)) })).ToList();
        var report = new BacktestReport("f", seed, 100, At(0), At(100), 1, 3, new Dictionary<string, EngineScore>(), faults, [], new BacktestTiming(0, 0, 0, 0));
        var path = Path.Combine(dir, $"report-{seed}.json");
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

        // Centered: each model's median plus one shared shape (both models' errors spread alike here, so the shape is
        // theirs, ±0.1 around the median).
        (code, stdout, stderr) = await InProcess.TwinAsync("calibrate-bands", "--reports", reports, "--quantiles", "--per-model", "10", "--centered");
        Assert.True(code == 0, stderr);
        using (var centered = JsonDocument.Parse(stdout))
        {
            var m = centered.RootElement.GetProperty("models");
            double Offset(string model, string level) => m.GetProperty(model).GetProperty("bandQuantiles").GetProperty(level).GetDouble();
            Assert.Equal(Offset("bearing", "0.90") - Offset("bearing", "0.50"), Offset("cold-head", "0.90") - Offset("cold-head", "0.50"), 3);
            Assert.Equal(-0.7, Offset("cold-head", "0.50"), 3);
        }

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

        (code, _, stderr) = await InProcess.TwinAsync("calibrate-bands", "--reports", report, "--quantiles", "--centered");
        Assert.Equal(2, code);
        Assert.Contains("--centered: only with --per-model", stderr);

        (code, _, stderr) = await InProcess.TwinAsync("calibrate-bands", "--reports", report, "--leave-one-out");
        Assert.Equal(2, code);
        Assert.Contains("--leave-one-out: only with --quantiles", stderr);

        (code, _, stderr) = await InProcess.TwinAsync("calibrate-bands", "--reports", report, "--quantiles", "--leave-one-out");
        Assert.Equal(1, code);
        Assert.Contains("at least two runs", stderr);

        (code, _, stderr) = await InProcess.TwinAsync("calibrate-bands", "--reports", report, "--forecasts", "daily");
        Assert.Equal(2, code);
        Assert.Contains("--forecasts: only with --quantiles", stderr);

        (code, _, stderr) = await InProcess.TwinAsync("calibrate-bands", "--reports", report, "--quantiles", "--forecasts", "every");
        Assert.Equal(2, code);
        Assert.Contains("every", stderr);

        // Reports written without the daily forecasts say so instead of calibrating on nothing.
        (code, _, stderr) = await InProcess.TwinAsync("calibrate-bands", "--reports", report, "--quantiles", "--forecasts", "daily");
        Assert.Equal(1, code);
        Assert.Contains("the report of seed 201 lists no daily forecasts", stderr);

        (code, _, stderr) = await InProcess.TwinAsync("calibrate-bands", "--reports", Path.Combine(dir.Path, "gone.json"), "--quantiles");
        Assert.Equal(2, code);
        Assert.Contains("gone.json", stderr);

        await UsageError(report, "--age-days: only with --quantiles", "--age-days", "7");
        await UsageError(report, "not with --per-model", "--quantiles", "--per-model", "10", "--age-days", "7");
        await UsageError(report, "--age-days '30,7': needs positive days, rising", "--quantiles", "--age-days", "30,7");
        await UsageError(report, "--age-days '0'", "--quantiles", "--age-days", "0");
        await UsageError(report, "--age-days 'week'", "--quantiles", "--age-days", "week");

        // First forecasts are all of evidence just begun: no table can be read for older evidence.
        (code, _, stderr) = await InProcess.TwinAsync("calibrate-bands", "--reports", report, "--quantiles", "--age-days", "7");
        Assert.Equal(1, code);
        Assert.Contains("0 forecasts of evidence 7", stderr);
    }

    [Fact]
    public async Task Age_days_prints_a_table_for_older_evidence_read_from_the_daily_forecasts_of_that_age()
    {
        using var dir = new TempDirectory("cli-calibrate-bands-age");
        // 30 failures; the alert opens at day 0 and shows a forecast daily for nine days: errors ±0.1 in its first five
        // days, ±0.6 after.
        var path = WriteDailyReport(dir.Path, Enumerable.Range(0, 30).Select(k => ($"f{k}", Enumerable.Range(0, 10).Select(day =>
        {
            var error = (day < 5 ? 0.1 : 0.6) * (2.0 * ((k + day) % 10) / 9 - 1);
            return new BandDto(At(day + 20), At(day + 20), At(day + 20), "linear:mri-coldhead-stage2", At(day)) { FitP50 = At(day + (50 - day) / Math.Exp(error)) };
        }).ToList())));

        var (code, stdout, stderr) = await InProcess.TwinAsync("calibrate-bands", "--reports", path, "--quantiles", "--forecasts", "daily", "--age-days", "5");
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        Assert.Equal(300, root.GetProperty("forecasts").GetInt32());
        var aged = Assert.Single(root.GetProperty("byAge").EnumerateArray());
        Assert.Equal(5, aged.GetProperty("fromDays").GetDouble());
        Assert.Equal(150, aged.GetProperty("forecasts").GetInt32());
        double Width(JsonElement table) => table.GetProperty("0.95").GetDouble() - table.GetProperty("0.05").GetDouble();
        Assert.InRange(Width(root.GetProperty("bandQuantiles")), 0.15, 0.25);
        Assert.InRange(Width(aged.GetProperty("bandQuantiles")), 0.9, 1.5);
    }

    [Fact]
    public async Task After_crossing_per_model_gives_a_model_with_enough_failures_its_own_days_after_a_crossing()
    {
        using var dir = new TempDirectory("cli-calibrate-bands-after");
        // Failures at day 50, each alert opening on a trend forecast at day 0 and then showing forecasts made after the
        // threshold was crossed (fit P50 "now"): detectors 1–3 days before the failure (10 failures), tubes 20–60 days
        // before (5), gradient amplifiers 4–5 days before (4).
        var models = new (string Model, int Failures, double[] DaysBefore)[]
        {
            ("linear:ct-detector-temp-high", 10, [3, 2, 1]), ("linear:xr-tube-output", 5, [60, 40, 20]), ("poisson-rate:mri-gradient-amp-trips", 4, [5, 4]),
        };
        var path = WriteDailyReport(dir.Path, models.SelectMany(m => Enumerable.Range(0, m.Failures).Select(k => ($"{m.Model}-{k}",
            (List<BandDto>)[new(At(40), At(50), At(60), m.Model, At(0)) { FitP50 = At(50), AgeDays = 0 },
                .. m.DaysBefore.Select(d => new BandDto(At(50), At(50), At(50), m.Model, At(50 - d)) { FitP50 = At(50 - d), AgeDays = 50 - d })]))));

        var (code, stdout, stderr) = await InProcess.TwinAsync("calibrate-bands", "--reports", path, "--quantiles", "--forecasts", "daily", "--after-crossing-per-model", "5");
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var after = doc.RootElement.GetProperty("afterCrossing");
        var own = after.GetProperty("models");
        Assert.Equal(["ct-detector-temp-high", "xr-tube-output"], own.EnumerateObject().Select(p => p.Name));
        Assert.Equal((30, 10), (own.GetProperty("ct-detector-temp-high").GetProperty("forecasts").GetInt32(), own.GetProperty("ct-detector-temp-high").GetProperty("failures").GetInt32()));
        Assert.Equal(2, own.GetProperty("ct-detector-temp-high").GetProperty("afterCrossingDays").GetProperty("0.50").GetDouble(), 6);
        Assert.Equal(40, own.GetProperty("xr-tube-output").GetProperty("afterCrossingDays").GetProperty("0.50").GetDouble(), 6);
        // The pooled table is read from the gradient amplifiers alone.
        Assert.Equal(8, after.GetProperty("forecasts").GetInt32());
        Assert.InRange(after.GetProperty("afterCrossingDays").GetProperty("0.50").GetDouble(), 4, 5);

        // Without it, one pooled table from every crossed forecast.
        (code, stdout, stderr) = await InProcess.TwinAsync("calibrate-bands", "--reports", path, "--quantiles", "--forecasts", "daily");
        Assert.True(code == 0, stderr);
        using (var pooled = JsonDocument.Parse(stdout))
        {
            Assert.Equal(53, pooled.RootElement.GetProperty("afterCrossing").GetProperty("forecasts").GetInt32());
            Assert.False(pooled.RootElement.GetProperty("afterCrossing").TryGetProperty("models", out var m) && m.ValueKind != JsonValueKind.Null);
        }

        await UsageError(path, "--after-crossing-per-model: only with --quantiles", "--after-crossing-per-model", "5");
        await UsageError(path, "--after-crossing-per-model", "--quantiles", "--after-crossing-per-model", "2");
    }

    /// <summary>calibrate-bands on <paramref name="report"/> with <paramref name="args"/> is a usage error (exit 2) naming <paramref name="expected"/>.</summary>
    private static async Task UsageError(string report, string expected, params string[] args)
    {
        var (code, _, stderr) = await InProcess.TwinAsync(["calibrate-bands", "--reports", report, .. args]);
        Assert.Equal(2, code);
        Assert.Contains(expected, stderr);
    }

    /// <summary>Writes a report of failures at day 50 whose alerts opened at day 0 and showed <c>Shown</c>, the first being the alert's first forecast.</summary>
    private static string WriteDailyReport(string dir, IEnumerable<(string Id, List<BandDto> Shown)> failures)
    {
        var faults = failures.Select(f => new FaultScore(f.Id, "d", "c", "s", "machine", At(-5), At(50), null,
            new Dictionary<string, string?> { ["physics"] = At(0) }, new Dictionary<string, double?>(), new Dictionary<string, bool?>(),
            new Dictionary<string, BandDto?> { ["physics"] = f.Shown[0] })
        {
            DailyBands = new Dictionary<string, IReadOnlyList<BandDto>> { ["physics"] = f.Shown },
        }).ToList();
        var path = Path.Combine(dir, "report-201.json");
        File.WriteAllText(path, JsonSerializer.Serialize(new BacktestReport("f", 201, 100, At(0), At(100), 1, 3, new Dictionary<string, EngineScore>(), faults, [], new BacktestTiming(0, 0, 0, 0)), Json));
        return path;
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

    [Fact]
    public async Task Validate_scores_new_and_current_tables_and_write_replaces_the_config_only_when_the_new_ones_are_at_least_as_good()
    {
        using var dir = new TempDirectory("cli-calibrate-bands");
        var config = Directory.CreateDirectory(Path.Combine(dir.Path, "physics")).FullName;
        foreach (var file in Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, "config", "physics"), "*.json"))
        {
            File.Copy(file, Path.Combine(config, Path.GetFileName(file)));
        }

        var shipped = File.ReadAllText(Path.Combine(config, "mri.json"));
        var late = $"{WriteColdHeadReport(dir.Path, 201, 30, 3)},{WriteColdHeadReport(dir.Path, 202, 30, 3)}";
        var early = WriteColdHeadReport(dir.Path, 203, 30, -3);
        var validation = $"{WriteColdHeadReport(dir.Path, 301, 20, 3)},{WriteColdHeadReport(dir.Path, 302, 20, 3)}";

        // Failures 20 times later than the fits said: the shipped tables hold none, the new ones most. Without --write nothing changes.
        var (code, stdout, stderr) = await InProcess.TwinAsync("calibrate-bands", "--reports", late, "--quantiles", "--validate", validation, "--config", config);
        Assert.True(code == 0, stderr);
        using (var doc = JsonDocument.Parse(stdout))
        {
            var v = doc.RootElement.GetProperty("validation");
            Assert.True(v.GetProperty("promoted").GetBoolean());
            Assert.Equal(JsonValueKind.Null, v.GetProperty("written").ValueKind);
            Assert.Equal(0, v.GetProperty("current").GetProperty("coverage").GetProperty("90").GetDouble());
            Assert.Equal(40, v.GetProperty("candidate").GetProperty("forecasts").GetInt32());
            Assert.Equal([301, 302], v.GetProperty("seeds").EnumerateArray().Select(e => e.GetInt32()));
        }

        Assert.Equal(shipped, File.ReadAllText(Path.Combine(config, "mri.json")));

        // Tables that expect failures 20 times earlier hold none of the runs near the fits' P50, which the shipped tables
        // mostly hold: kept, and --write leaves the files alone.
        var near = WriteColdHeadReport(dir.Path, 303, 20, 0);
        (code, stdout, stderr) = await InProcess.TwinAsync("calibrate-bands", "--reports", early, "--quantiles", "--validate", near, "--config", config, "--write");
        Assert.True(code == 0, stderr);
        using (var doc = JsonDocument.Parse(stdout))
        {
            Assert.False(doc.RootElement.GetProperty("validation").GetProperty("promoted").GetBoolean());
        }

        Assert.Equal(shipped, File.ReadAllText(Path.Combine(config, "mri.json")));

        (code, _, stderr) = await InProcess.TwinAsync("calibrate-bands", "--reports", late, "--quantiles", "--validate", validation, "--config", config, "--write");
        Assert.True(code == 0, stderr);
        var written = File.ReadAllText(Path.Combine(config, "mri.json"));
        Assert.NotEqual(shipped, written);
        Assert.Contains("calibration seeds 201, 202; on validation seeds 301, 302", written);
    }

    [Fact]
    public async Task Write_needs_validate_and_validate_needs_quantiles_and_disjoint_seeds()
    {
        using var dir = new TempDirectory("cli-calibrate-bands");
        var report = WriteColdHeadReport(dir.Path, 201, 10, 0);
        var (code, _, stderr) = await InProcess.TwinAsync("calibrate-bands", "--reports", report, "--quantiles", "--write");
        Assert.Equal(2, code);
        Assert.Contains("--write: only with --validate", stderr);

        (code, _, stderr) = await InProcess.TwinAsync("calibrate-bands", "--reports", report, "--validate", report);
        Assert.Equal(2, code);
        Assert.Contains("--validate: only with --quantiles", stderr);

        (code, _, stderr) = await InProcess.TwinAsync("calibrate-bands", "--reports", report, "--quantiles", "--validate", report, "--catalog", Path.Combine(dir.Path, "gone"));
        Assert.Equal(2, code);
        Assert.Contains("--catalog", stderr);

        (code, _, stderr) = await InProcess.TwinAsync("calibrate-bands", "--reports", report, "--quantiles", "--validate", report, "--config", Path.Combine(RepoPaths.Root, "config", "physics"));
        Assert.Equal(1, code);
        Assert.Contains("seed 201 is both a calibration and a validation run", stderr);
    }
}
