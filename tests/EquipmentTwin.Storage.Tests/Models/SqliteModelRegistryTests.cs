using EquipmentTwin.Storage.Models;
using EquipmentTwin.Testing;

namespace EquipmentTwin.Storage.Tests.Models;

public sealed class SqliteModelRegistryTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 29, 0, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _dir = new("models");

    private static ModelRecord Candidate(string kind, int version, double recall = 0.8) => new()
    {
        Kind = kind,
        Version = version,
        Reason = "trained",
        Source = "store 2026-01-01..2026-06-01",
        TrainedFromMs = T0.AddDays(-100).ToUnixTimeMilliseconds(),
        TrainedToMs = T0.ToUnixTimeMilliseconds(),
        Seeds = [1, 2],
        Validation = new Dictionary<string, double> { ["recall"] = recall },
        CreatedAt = T0,
        ChangedAt = T0,
        ChangedBy = "system",
    };

    [Fact]
    public async Task Promote_retires_the_champion_and_rollback_restores_it_then_goes_further_back()
    {
        using var registry = new SqliteModelRegistry(Path.Combine(_dir.Path, "twin.db"));
        for (var v = 1; v <= 3; v++)
        {
            await registry.RegisterAsync(Candidate("anomaly-mri", v), default);
        }

        await registry.PromoteAsync("anomaly-mri", 1, "ana", "first", T0.AddHours(1), default);
        await registry.PromoteAsync("anomaly-mri", 2, "ana", "better recall", T0.AddHours(2), default);
        await registry.PromoteAsync("anomaly-mri", 3, "bo", "fewer false alarms", T0.AddHours(3), default);
        var all = await registry.ListAsync("anomaly-mri", default);
        Assert.Equal([3, 2, 1], all.Select(m => m.Version));
        Assert.Single(all, m => m.State == ModelState.Champion);
        Assert.Equal("replaced by v3: fewer false alarms", all.Single(m => m.Version == 2).Reason);

        var back = await registry.RollbackAsync("anomaly-mri", "cy", "v3 misses cold heads", T0.AddHours(4), default);
        Assert.Equal((3, 2), (back!.Value.Retired.Version, back.Value.Restored.Version));
        Assert.Equal(2, (await registry.ChampionAsync("anomaly-mri", default))!.Version);
        Assert.Equal(("cy", "rolled back to v2: v3 misses cold heads"), ((await registry.FindAsync("anomaly-mri", 3, default))!.ChangedBy, (await registry.FindAsync("anomaly-mri", 3, default))!.Reason));

        var again = await registry.RollbackAsync("anomaly-mri", "cy", "v2 too", T0.AddHours(5), default);
        Assert.Equal(1, again!.Value.Restored.Version);
        Assert.Null(await registry.RollbackAsync("anomaly-mri", "cy", "nothing earlier", T0.AddHours(6), default));
    }

    [Fact]
    public async Task Figures_and_provenance_survive_a_reopen_and_kinds_keep_their_own_champion()
    {
        var path = Path.Combine(_dir.Path, "twin.db");
        using (var registry = new SqliteModelRegistry(path))
        {
            await registry.RegisterAsync(Candidate("anomaly-mri", 1, recall: 0.75), default);
            await registry.RegisterAsync(Candidate("rules", 1), default);
            await registry.PromoteAsync("anomaly-mri", 1, "ana", "first", T0, default);
            await registry.PromoteAsync("rules", 1, "ana", "first", T0, default);
            var champion = await Assert.ThrowsAsync<ModelRegistryException>(() => registry.SetStateAsync("anomaly-mri", 1, ModelState.Retired, "ana", "no", T0, default));
            Assert.False(champion.NotFound);
        }

        using var reopened = new SqliteModelRegistry(path);
        var m = (await reopened.FindAsync("anomaly-mri", 1, default))!;
        Assert.Equal((ModelState.Champion, 0.75, "store 2026-01-01..2026-06-01"), (m.State, m.Validation["recall"], m.Source));
        Assert.Equal([1, 2], m.Seeds);
        Assert.Equal(1, (await reopened.ChampionAsync("rules", default))!.Version);
        var unknown = await Assert.ThrowsAsync<ModelRegistryException>(() => reopened.PromoteAsync("rules", 9, "ana", "x", T0, default));
        Assert.True(unknown.NotFound);
    }

    public void Dispose() => _dir.Dispose();
}
