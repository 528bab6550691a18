using EquipmentTwin.Storage.Audit;
using EquipmentTwin.Storage.Models;
using EquipmentTwin.Testing;

namespace EquipmentTwin.Cli.Tests;

/// <summary><c>twin train --data-dir --validate-seed</c>: candidates validated on a held-out run and gated, in-process.</summary>
public sealed class TrainValidationTests
{
    [Fact]
    public async Task Candidates_are_registered_with_held_out_figures_and_gated_and_a_training_seed_is_refused_for_validation()
    {
        using var dir = new TempDirectory("train-validate");
        var models = Path.Combine(dir.Path, "models");
        var data = Path.Combine(dir.Path, "data");
        Directory.CreateDirectory(data);
        var fleet = RepoPaths.Seeds("fleets", "demo.json");

        var refused = await InProcess.TwinAsync("train", "--fleet", fleet, "--days", "4", "--seed", "1", "--out", models, "--data-dir", data, "--validate-seed", "7920");
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("--validate-seed 7920 is a training or calibration seed", refused.Stderr);

        foreach (var round in new[] { 1, 2 })
        {
            var (code, _, stderr) = await InProcess.TwinAsync("train", "--fleet", fleet, "--days", "14", "--seed", round.ToString(), "--out", models, "--data-dir", data, "--validate-seed", "301", "--validate-days", "4");
            Assert.True(code == 0, stderr);
        }

        using var registry = new SqliteModelRegistry(Path.Combine(data, "twin.db"));
        var mri = await registry.ListAsync("anomaly-mri", default);
        Assert.Equal([2, 1], mri.Select(m => m.Version));
        Assert.Single(mri, m => m.State == ModelState.Champion);
        Assert.All(mri, m => Assert.True(m.Validation.ContainsKey("heldOutRecall") && m.Validation.ContainsKey("heldOutFalseAlarmsPer100DeviceMonths")));
        var second = mri.Single(m => m.Version == 2);
        Assert.Matches("^(at least as good as the champion|refused, )", second.Reason);

        using var audit = SqliteAuditStore.Open(data);
        var history = await audit.HistoryAsync("model/anomaly-mri", default);
        Assert.Equal(2, history.Count);
        Assert.All(history, e => Assert.Equal(Environment.UserName, e.Actor));
        Assert.Equal(("promoted", "v1"), (history[0].Action, history[0].ToState));
        Assert.StartsWith("no champion to compare with; on a faulty run of demo, seed 301, 4 days", history[0].Comment);
        Assert.Equal((second.State == ModelState.Champion ? "promoted" : "refused", "v2", second.Reason), (history[1].Action, history[1].ToState, history[1].Comment));
    }
}
