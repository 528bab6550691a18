using System.Text.Json;
using EquipmentTwin.Storage.Audit;
using EquipmentTwin.Storage.Models;
using EquipmentTwin.Storage.Sqlite;
using EquipmentTwin.Testing;

namespace EquipmentTwin.Cli.Tests;

/// <summary><c>twin models</c> on a store's registry, in-process.</summary>
public sealed class ModelsCommandTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 29, 0, 0, 0, TimeSpan.Zero);

    private static async Task<string> StoreWithTwoVersionsAsync(TempDirectory dir)
    {
        await using (SqliteTelemetryStore.Open(dir.Path))
        {
        }

        using var registry = new SqliteModelRegistry(Path.Combine(dir.Path, "twin.db"));
        foreach (var v in new[] { 1, 2 })
        {
            await registry.RegisterAsync(new ModelRecord
            {
                Kind = "anomaly-mri", Version = v, Reason = "trained", Source = "store", Validation = new Dictionary<string, double> { ["recall"] = 0.7 + v / 10.0 },
                CreatedAt = T0, ChangedAt = T0, ChangedBy = "system",
            }, default);
        }

        await registry.PromoteAsync("anomaly-mri", 1, "system", "first", T0, default);
        return dir.Path;
    }

    [Fact]
    public async Task Promote_and_rollback_change_the_champion_and_write_the_user_and_reason_to_the_audit_trail()
    {
        using var dir = new TempDirectory("models-cli");
        var data = await StoreWithTwoVersionsAsync(dir);

        var (code, stdout, stderr) = await InProcess.TwinAsync("models", "promote", "anomaly-mri", "2", "--data-dir", data, "--reason", "recall 0.9 on held-out devices");
        Assert.True(code == 0, stderr);
        Assert.Contains("anomaly-mri v2 is champion; v1 retired", stdout);

        var json = Path.Combine(dir.Path, "list.json");
        (code, stdout, _) = await InProcess.TwinAsync("models", "list", "--data-dir", data, "--json", json);
        Assert.Equal(0, code);
        Assert.Contains("v2    champion  recall 0.9 on held-out devices  [recall 0.9]", stdout);
        using (var doc = JsonDocument.Parse(await File.ReadAllTextAsync(json)))
        {
            var champion = doc.RootElement.GetProperty("models").EnumerateArray().Single(m => m.GetProperty("state").GetString() == "champion");
            Assert.Equal((2, Environment.UserName), (champion.GetProperty("version").GetInt32(), champion.GetProperty("changedBy").GetString()));
        }

        (code, stdout, stderr) = await InProcess.TwinAsync("models", "rollback", "anomaly-mri", "--data-dir", data, "--reason", "v2 misses cold heads");
        Assert.True(code == 0, stderr);
        Assert.Contains("anomaly-mri v1 is champion again; v2 retired", stdout);

        using var audit = SqliteAuditStore.Open(data);
        var history = await audit.HistoryAsync("model/anomaly-mri", default);
        Assert.Equal([("promoted", "v1", "v2", "recall 0.9 on held-out devices"), ("rolled-back", "v2", "v1", "v2 misses cold heads")],
            history.Select(e => (e.Action, e.FromState!, e.ToState, e.Comment!)));
        Assert.All(history, e => Assert.Equal(Environment.UserName, e.Actor));

        (code, stdout, _) = await InProcess.TwinAsync("models", "show", "anomaly-mri", "2", "--data-dir", data);
        Assert.Equal(0, code);
        Assert.Contains("anomaly-mri v2: retired (rolled back to v1: v2 misses cold heads", stdout);
    }

    [Fact]
    public async Task A_missing_reason_is_a_usage_error_and_an_unknown_version_a_failure()
    {
        using var dir = new TempDirectory("models-cli");
        var data = await StoreWithTwoVersionsAsync(dir);
        Assert.Equal(2, (await InProcess.TwinAsync("models", "promote", "anomaly-mri", "2", "--data-dir", data)).ExitCode);
        var (code, _, stderr) = await InProcess.TwinAsync("models", "promote", "anomaly-mri", "7", "--data-dir", data, "--reason", "x");
        Assert.Equal(1, code);
        Assert.Contains("anomaly-mri/7 is not known", stderr);
        Assert.Equal(1, (await InProcess.TwinAsync("models", "rollback", "anomaly-mri", "--data-dir", data, "--reason", "nothing earlier")).ExitCode);
    }
}

/// <summary><c>twin labels export|import</c> between two stores, in-process.</summary>
public sealed class LabelsCommandTests
{
    [Fact]
    public async Task Export_then_import_into_another_store_carries_every_label_once_and_a_bad_file_fails_naming_the_cell()
    {
        using var dir = new TempDirectory("labels-cli");
        var a = Directory.CreateDirectory(Path.Combine(dir.Path, "a")).FullName;
        var b = Directory.CreateDirectory(Path.Combine(dir.Path, "b")).FullName;
        foreach (var d in new[] { a, b })
        {
            await using (SqliteTelemetryStore.Open(d))
            {
            }
        }

        using (var store = new EquipmentTwin.Storage.Labels.SqliteLabelStore(Path.Combine(a, "twin.db")))
        {
            await store.AddAsync([new("false-alarm", "mri-1", "cold_head", 1_700_000_000_000, null, "mri-1/x", "ana", DateTimeOffset.UnixEpoch.AddYears(56), "api", "cable")], default);
        }

        var csv = Path.Combine(dir.Path, "out", "labels.csv");
        var (code, stdout, stderr) = await InProcess.TwinAsync("labels", "export", "--data-dir", a, "--out", csv);
        Assert.True(code == 0, stderr);
        Assert.Contains("1 labels (1 false-alarm)", stdout);

        (code, stdout, _) = await InProcess.TwinAsync("labels", "import", "--data-dir", b, "--in", csv);
        Assert.Equal((0, true), (code, stdout.StartsWith("1 labels added, 0 already there", StringComparison.Ordinal)));
        (code, stdout, _) = await InProcess.TwinAsync("labels", "import", "--data-dir", b, "--in", csv);
        Assert.StartsWith("0 labels added, 1 already there", stdout);
        using (var store = new EquipmentTwin.Storage.Labels.SqliteLabelStore(Path.Combine(b, "twin.db")))
        {
            var label = Assert.Single(await store.ListAsync(null, default));
            Assert.Equal(("ana", "api", "cable"), (label.Who, label.Source, label.Comment));
        }

        await File.AppendAllTextAsync(csv, "false-alarm,mri-1,cold_head,soon,,,ana,,,\n");
        (code, _, stderr) = await InProcess.TwinAsync("labels", "import", "--data-dir", b, "--in", csv);
        Assert.Equal(1, code);
        Assert.Contains("line 3, column 4 (at): 'soon' is not an RFC 3339 time", stderr);
    }
}

/// <summary><c>twin rul fit --data-dir</c> registers the learner with its held-out figures.</summary>
public sealed class RulRegistryTests
{
    [Fact]
    public async Task The_first_rul_model_of_a_kind_becomes_champion_and_the_next_waits_as_a_candidate_with_both_figures()
    {
        using var dir = new TempDirectory("rul-registry");
        await using (SqliteTelemetryStore.Open(dir.Path))
        {
        }

        foreach (var (seed, model) in new[] { ("1", "m1"), ("2", "m2") })
        {
            var (code, _, stderr) = await InProcess.TwinAsync("rul", "fit", "--train", RepoPaths.Seeds("rul", "pumps-train.csv"), "--model", Path.Combine(dir.Path, model), "--seed", seed, "--data-dir", dir.Path);
            Assert.True(code == 0, stderr);
        }

        using var registry = new SqliteModelRegistry(Path.Combine(dir.Path, "twin.db"));
        var models = await registry.ListAsync("rul-pumps-train", default);
        Assert.Equal([(2, ModelState.Candidate), (1, ModelState.Champion)], models.Select(m => (m.Version, m.State)));
        Assert.Equal("first model of its kind", models[1].Reason);
        Assert.StartsWith("awaiting review against champion v1: held-out RMSE", models[0].Reason);
        Assert.All(models, m => Assert.True(m.Validation["rmse"] > 0 && m.Validation["coverage80"] is >= 0 and <= 1 && m.Source.Contains("pumps-train.csv (sha256 ", StringComparison.Ordinal)));
        Assert.Equal(2, (await InProcess.TwinAsync("rul", "fit", "--train", RepoPaths.Seeds("rul", "pumps-train.csv"), "--model", Path.Combine(dir.Path, "m3"), "--data-dir", dir.Path, "--kind", "pumps")).ExitCode);
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "m3")));
    }
}
