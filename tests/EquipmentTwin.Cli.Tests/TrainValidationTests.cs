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

    [Fact]
    public async Task Feedback_round_reads_the_stores_labels_fits_on_the_labelled_run_and_gates_each_modality()
    {
        using var dir = new TempDirectory("train-feedback");
        var models = Path.Combine(dir.Path, "models");
        var data = Path.Combine(dir.Path, "data");
        Directory.CreateDirectory(data);
        var fleet = RepoPaths.Seeds("fleets", "demo.json");
        var usage = await InProcess.TwinAsync("train", "--fleet", fleet, "--days", "14", "--out", models, "--data-dir", data, "--validate-seed", "301", "--feedback-seed", "401");
        Assert.Equal(2, usage.ExitCode);
        Assert.Contains("--feedback-seed needs --data-dir (where the labels are), --seeds and --calibration-seeds", usage.Stderr);
        var onFeedback = await InProcess.TwinAsync("train", "--fleet", fleet, "--days", "14", "--seeds", "101", "--calibration-seeds", "201", "--out", models, "--data-dir", data, "--validate-seed", "401", "--feedback-seed", "401");
        Assert.Equal(2, onFeedback.ExitCode);

        await EquipmentTwin.Storage.Sqlite.SqliteTelemetryStore.Open(data).DisposeAsync(); // the service's store, as it leaves it
        var csv = Path.Combine(dir.Path, "labels.csv");
        await File.WriteAllTextAsync(csv, "kind,device,component,at,until,alert,who,recorded_at,source,comment\nfalse-alarm,xr-gz01-1,generator,2026-11-10T00:00:00Z,2026-11-12T00:00:00Z,,engineer-a,,,after the generator firmware update\n");
        var (imported, _, importErr) = await InProcess.TwinAsync("labels", "import", "--data-dir", data, "--in", csv);
        Assert.True(imported == 0, importErr);

        var (code, _, stderr) = await InProcess.TwinAsync("train", "--fleet", fleet, "--days", "14", "--seeds", "101", "--calibration-seeds", "201", "--feedback-seed", "401",
            "--out", models, "--data-dir", data, "--validate-seed", "301", "--validate-days", "4", "--json", Path.Combine(dir.Path, "round.json"));
        Assert.True(code == 0, stderr);

        using var registry = new SqliteModelRegistry(Path.Combine(data, "twin.db"));
        var trained = (await registry.ListAsync(null, default)).Where(m => m.Kind.StartsWith("anomaly-", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(trained);
        Assert.All(trained, m => Assert.StartsWith("healthy simulation of demo and the labelled run of seed 401 (1 false-alarm label(s), ", m.Source));
        Assert.All(trained, m => Assert.Contains(401, m.Seeds));
        // Each kind is judged on its own modality's devices of the held-out run.
        Assert.All(trained, m => Assert.Contains($"its ", m.Reason));
        Assert.Contains(trained, m => m.Kind == "anomaly-mri" && m.Reason.Contains(" mri devices", StringComparison.Ordinal));
        using var json = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(dir.Path, "round.json")));
        Assert.True(json.RootElement.GetProperty("candidate").TryGetProperty("mri", out _));
    }
}
