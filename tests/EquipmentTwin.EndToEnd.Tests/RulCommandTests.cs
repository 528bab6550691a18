using System.Text.Json;
using EquipmentTwin.Testing;

namespace EquipmentTwin.EndToEnd.Tests;

/// <summary><c>twin rul fit</c> and <c>twin rul predict</c> as a script would run them.</summary>
public sealed class RulCommandTests
{
    private static Task<(int ExitCode, string Output)> Twin(params string[] args) =>
        ExternalProcess.RunAsync("dotnet", [TwinProcess.TwinDll, .. args], TimeSpan.FromSeconds(120));

    [Fact]
    public async Task Fit_then_predict_on_the_hand_made_pump_file_writes_one_band_per_unit()
    {
        using var dir = new TempDirectory("rul-cli");
        var model = Path.Combine(dir.Path, "model");
        var (fit, fitOutput) = await Twin("rul", "fit", "--train", RepoPaths.Seeds("rul", "pumps-train.csv"), "--model", model);
        Assert.True(fit == 0, fitOutput);
        Assert.Contains("validation", fitOutput);
        Assert.True(File.Exists(Path.Combine(model, "model.zip")) && File.Exists(Path.Combine(model, "features.json")) && File.Exists(Path.Combine(model, "validation.json")));

        var json = Path.Combine(dir.Path, "out", "rul.json");
        var (predict, predictOutput) = await Twin("rul", "predict", "--model", model, "--input", RepoPaths.Seeds("rul", "pumps-now.csv"), "--json", json);
        Assert.True(predict == 0, predictOutput);
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        var units = doc.RootElement.GetProperty("units").EnumerateArray().ToList();
        Assert.Equal(["P-201", "P-202"], units.Select(u => u.GetProperty("unit").GetString()));
        Assert.Equal(600, units[0].GetProperty("time").GetDouble());
        Assert.All(units, u => Assert.True(u.GetProperty("rulP10").GetDouble() <= u.GetProperty("rulP50").GetDouble() && u.GetProperty("rulP50").GetDouble() <= u.GetProperty("rulP90").GetDouble()));
    }

    [Fact]
    public async Task Malformed_csv_exits_1_naming_file_line_and_column()
    {
        using var dir = new TempDirectory("rul-cli-bad");
        var bad = Path.Combine(dir.Path, "bad.csv");
        await File.WriteAllTextAsync(bad, "unit,time,temp\nu1,1,20\nu1,2,warm\n");
        var (code, output) = await Twin("rul", "fit", "--train", bad, "--model", Path.Combine(dir.Path, "m"));
        Assert.Equal(1, code);
        Assert.Contains($"{bad}: line 3, column 3 (temp): 'warm' is not a number", output);
    }
}
