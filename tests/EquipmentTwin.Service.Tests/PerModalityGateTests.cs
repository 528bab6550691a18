using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Service.Models;
using EquipmentTwin.Storage.Audit;
using EquipmentTwin.Storage.Models;
using EquipmentTwin.Testing;

namespace EquipmentTwin.Service.Tests;

/// <summary>The gate per modality: one round's candidates pass or fail each on its own modality's held-out figures.</summary>
public sealed class PerModalityGateTests
{
    private static ModelRecord Anomaly(Modality modality, int version, DateTimeOffset now) => new()
    {
        Kind = ModelKinds.Anomaly(modality),
        Version = version,
        Reason = "test",
        Source = "test",
        CreatedAt = now,
        ChangedAt = now,
        ChangedBy = "test",
    };

    private static HeldOutFigures Figures(Modality modality, double recall, double falseAlarms) =>
        new(recall, falseAlarms, 4, (int)falseAlarms, "seed 301, " + modality.ToWire() + " devices");

    [Fact]
    public async Task A_candidate_better_on_mri_and_worse_on_ct_promotes_mri_only()
    {
        using var dir = new TempDirectory("gate-per-modality");
        await Storage.Sqlite.SqliteTelemetryStore.Open(dir.Path).DisposeAsync();
        using var registry = new SqliteModelRegistry(Path.Combine(dir.Path, "twin.db"));
        using var audit = SqliteAuditStore.Open(dir.Path);
        var now = DateTimeOffset.Parse("2026-11-30T02:00:00Z");
        foreach (var m in new[] { Modality.Mri, Modality.Ct })
        {
            await registry.RegisterAsync(Anomaly(m, 1, now), default);
            await registry.PromoteAsync(ModelKinds.Anomaly(m), 1, "test", "first", now, default);
        }

        var champion = new Dictionary<Modality, HeldOutFigures> { [Modality.Mri] = Figures(Modality.Mri, 0.5, 3), [Modality.Ct] = Figures(Modality.Ct, 0.25, 1) };
        var candidate = new Dictionary<Modality, HeldOutFigures> { [Modality.Mri] = Figures(Modality.Mri, 0.5, 1), [Modality.Ct] = Figures(Modality.Ct, 0.25, 2) };
        var decided = await PromotionGate.SubmitPerModalityAsync(registry, audit, [Anomaly(Modality.Mri, 2, now), Anomaly(Modality.Ct, 2, now)], candidate, champion, "engineer-a", now, default);

        Assert.Equal(2, decided.Count);
        Assert.Equal(2, (await registry.ChampionAsync("anomaly-mri", default))!.Version);
        Assert.Equal(1, (await registry.ChampionAsync("anomaly-ct", default))!.Version);
        var ct = (await registry.FindAsync("anomaly-ct", 2, default))!;
        Assert.Equal(ModelState.Retired, ct.State);
        Assert.StartsWith("refused, more false alarms: recall 0.25 vs champion 0.25, false alarms 2 vs 1 per 100 device-months on seed 301, ct devices", ct.Reason);
        Assert.Equal(2, ct.Validation["heldOutFalseAlarmsPer100DeviceMonths"]);
        Assert.StartsWith("at least as good as the champion", (await registry.FindAsync("anomaly-mri", 2, default))!.Reason);
        Assert.Equal(("refused", "engineer-a"), ((await audit.HistoryAsync("model/anomaly-ct", default))[^1].Action, (await audit.HistoryAsync("model/anomaly-ct", default))[^1].Actor));
        Assert.Equal("promoted", (await audit.HistoryAsync("model/anomaly-mri", default))[^1].Action);
    }

    [Fact]
    public async Task A_modality_without_figures_of_its_own_is_not_decided_on_another_modalitys()
    {
        using var dir = new TempDirectory("gate-per-modality");
        await Storage.Sqlite.SqliteTelemetryStore.Open(dir.Path).DisposeAsync();
        using var registry = new SqliteModelRegistry(Path.Combine(dir.Path, "twin.db"));
        using var audit = SqliteAuditStore.Open(dir.Path);
        var now = DateTimeOffset.Parse("2026-11-30T02:00:00Z");
        var candidate = new Dictionary<Modality, HeldOutFigures> { [Modality.Mri] = Figures(Modality.Mri, 0.5, 1) };
        var decided = await PromotionGate.SubmitPerModalityAsync(registry, audit, [Anomaly(Modality.Mri, 1, now), Anomaly(Modality.Xray, 1, now)], candidate, null, "engineer-a", now, default);

        Assert.Single(decided);
        Assert.Equal(ModelState.Champion, (await registry.FindAsync("anomaly-mri", 1, default))!.State);
        var xray = (await registry.FindAsync("anomaly-xray", 1, default))!;
        Assert.Equal((ModelState.Candidate, "not validated: the held-out data has no device of its modality"), (xray.State, xray.Reason));
        Assert.Null(await registry.ChampionAsync("anomaly-xray", default));
    }
}
