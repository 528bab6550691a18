using EquipmentTwin.Core.Catalog;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Storage;
using EquipmentTwin.Storage.Audit;
using EquipmentTwin.Storage.Models;
using EquipmentTwin.Storage.Sqlite;
using EquipmentTwin.Testing;

namespace EquipmentTwin.Cli.Tests;

/// <summary><c>twin models retrain</c>: the service's loop on a store from the command line.</summary>
public sealed class ModelsRetrainCommandTests
{
    [Fact]
    public async Task Retrain_fits_on_the_stores_telemetry_and_records_the_decision_per_modality()
    {
        using var dir = new TempDirectory("models-retrain");
        var data = Path.Combine(dir.Path, "data");
        var models = Path.Combine(dir.Path, "models");
        Directory.CreateDirectory(data);
        var catalog = SignalCatalog.LoadDirectory(RepoPaths.Catalog);
        var random = new Random(3);
        var t0 = DateTimeOffset.Parse("2026-06-01T00:00:00Z").ToUnixTimeMilliseconds();
        await using (var store = SqliteTelemetryStore.Open(data))
        {
            foreach (var id in new[] { "mr-c1", "mr-c2", "mr-c3" })
            {
                await store.WriteAsync([new NameplateItem("c", id, new Nameplate(Modality.Mri, "Vendor", "Model", id, "2020-01-01", "1.0"), DateTimeOffset.UtcNow)], default);
                var signals = catalog.Find(Modality.Mri)!.Signals.Values.ToArray();
                var records = new List<LogRecord>();
                for (var t = t0; t < t0 + 22 * 86_400_000L; t += 60 * 60_000)
                {
                    records.AddRange(signals.Select(s => LogRecord.Param(t, s.Name, s.Cumulative ? (t - t0) / 3_600_000.0
                        : ((s.NormalMin ?? 0) + (s.NormalMax ?? 10)) / 2 + ((s.NormalMax ?? 10) - (s.NormalMin ?? 0)) * 0.02 * (random.NextDouble() - 0.5))));
                }

                await store.WriteAsync([new BatchItem("c", id, new LogBatch("edge-" + id, 1, records.ToArray()), DateTimeOffset.UtcNow)], default);
            }
        }

        var json = Path.Combine(dir.Path, "retrain.json");
        var (code, stdout, stderr) = await InProcess.TwinAsync("models", "retrain", "--data-dir", data, "--models", models, "--catalog", RepoPaths.Catalog, "--json", json);
        Assert.True(code == 0, stderr);
        Assert.Contains("anomaly-mri: champion v1: no champion to compare with; on 1 held-out mri device(s) of the store", stdout);
        Assert.True(File.Exists(Path.Combine(models, "mri", "anomaly", "v1.zip")));
        Assert.Contains("\"kind\": \"anomaly-mri\"", await File.ReadAllTextAsync(json));

        using var registry = new SqliteModelRegistry(Path.Combine(data, "twin.db"));
        var champion = (await registry.ChampionAsync("anomaly-mri", default))!;
        Assert.Equal(1, champion.Version);
        Assert.StartsWith("store telemetry: 1 device(s) fitted, 1 calibrated", champion.Source);
        Assert.True(champion.Validation.ContainsKey("heldOutFalseAlarmsPer100DeviceMonths"));
        using var audit = SqliteAuditStore.Open(data);
        var entry = Assert.Single(await audit.HistoryAsync("model/anomaly-mri", default));
        Assert.Equal((Environment.UserName, "promoted"), (entry.Actor, entry.Action));
    }
}
