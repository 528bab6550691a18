using System.Text.Json.Nodes;
using EquipmentTwin.Testing;

namespace EquipmentTwin.Cli.Tests;

public sealed class EdgeCheckTests
{
    [Fact]
    public async Task Check_passes_the_demo_configuration_and_writes_nothing()
    {
        using var dir = new TempDirectory("cli-edge-check");
        var config = WriteConfig(dir.Path, "pipe");
        var (code, stdout, stderr) = await InProcess.EdgeAsync("check", "--config", config);
        Assert.True(code == 0, stdout + stderr);
        Assert.Contains("check passed", stdout, StringComparison.Ordinal);
        Assert.Equal([config], Directory.EnumerateFileSystemEntries(dir.Path, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Check_fails_on_a_file_of_the_wrong_format()
    {
        using var dir = new TempDirectory("cli-edge-check");
        var (code, stdout, _) = await InProcess.EdgeAsync("check", "--config", WriteConfig(dir.Path, "csv"));
        Assert.Equal(1, code);
        Assert.Contains("NO RECORD", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_fails_on_a_missing_vendor_file()
    {
        using var dir = new TempDirectory("cli-edge-check");
        var (code, stdout, _) = await InProcess.EdgeAsync("check", "--config", WriteConfig(dir.Path, "pipe", Path.Combine(dir.Path, "gone.log")));
        Assert.Equal(1, code);
        Assert.Contains("MISSING", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_lists_every_invalid_setting_and_exits_1()
    {
        using var dir = new TempDirectory("cli-edge-check");
        var (code, _, stderr) = await InProcess.EdgeAsync("check", "--config", WriteConfig(dir.Path, "pipe"), "--Batching:MaxRecords", "0");
        Assert.Equal(1, code);
        Assert.Contains("Batching:MaxRecords", stderr, StringComparison.Ordinal);
    }

    private static string WriteConfig(string dir, string format, string? tail = null)
    {
        var config = new JsonObject
        {
            ["Edge"] = new JsonObject { ["Source"] = "edge-check", ["Site"] = "site1", ["DataDir"] = Path.Combine(dir, "data") },
            ["Devices"] = new JsonArray(new JsonObject
            {
                ["id"] = "mr-1",
                ["format"] = format,
                ["tail"] = tail ?? RepoPaths.Seeds("samples", "mri-pipe.log"),
            }),
        };
        var path = Path.Combine(dir, "edge.json");
        File.WriteAllText(path, config.ToJsonString());
        return path;
    }
}
