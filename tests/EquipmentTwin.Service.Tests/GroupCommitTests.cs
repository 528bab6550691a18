using EquipmentTwin.Service.Ingest;
using EquipmentTwin.Storage;
using EquipmentTwin.Storage.Sqlite;
using EquipmentTwin.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace EquipmentTwin.Service.Tests;

/// <summary>Group commit in the ingest writer (Ingest:MaxCommitDelayMs): one write takes the publishers the previous write acknowledged.</summary>
public class GroupCommitTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private static string Batch(string source, long seq, int minute) =>
        $$"""{"schema":"equipment-log/1","source":"{{source}}","seq":{{seq}},"records":[{"ts":"2026-11-24T02:{{minute:00}}:00.000Z","type":"param","name":"he_level_pct","value":{{70 + minute}}}]}""";

    [Fact]
    public async Task A_write_waits_for_the_publisher_the_previous_write_acknowledged_and_commits_both_messages_together()
    {
        using var dir = new TempDirectory();
        GatedStore? store = null;
        // A delay far above the test's own wait: the write must end its wait because the publisher came back, not by timing out.
        await using var service = await ServiceFixture.StartAsync(s => s.AddSingleton<ITelemetryStore>(_ => store = new GatedStore(SqliteTelemetryStore.Open(dir.Path))), dir.Path, null, "--Ingest:MaxCommitDelayMs", "1000");
        var pipeline = service.App.Services.GetRequiredService<IngestPipeline>();
        using var a = await service.ConnectClientAsync("device-a");
        using var b = await service.ConnectClientAsync("device-b");

        store!.Close();
        var a1 = ServiceFixture.PublishAsync(a, "equipment/v1/site1/mri01/logs", Batch("edge-a", 1, 0));
        await Eventually.HoldsAsync(() => Volatile.Read(ref store.WriteAttempts) >= 1, Wait, "the first write to start");
        // a's second message waits inside the broker until a1 is acknowledged; b's first is queued behind the held write.
        var a2 = ServiceFixture.PublishAsync(a, "equipment/v1/site1/mri01/logs", Batch("edge-a", 2, 1));
        var b1 = ServiceFixture.PublishAsync(b, "equipment/v1/site1/mri02/logs", Batch("edge-b", 1, 0));
        await Eventually.HoldsAsync(() => pipeline.QueueDepth >= 1, Wait, "b's message to be queued");

        store.Release();
        var results = await Task.WhenAll(a1, a2, b1).WaitAsync(Wait);

        Assert.All(results, r => Assert.True(r.IsSuccess));
        // Write 1: a1. Write 2: b1 and a2 together (without group commit, b1 and a2 would take a write each).
        Assert.Equal(2, store.WriteAttempts);
        Assert.Equal(3, (await service.StatsAsync()).GetProperty("batchesAccepted").GetInt64());
    }

    [Fact]
    public async Task A_lone_publisher_is_never_held_back_by_the_commit_delay()
    {
        // With a delay of 60 s, a single wait would exceed the test's own limit of 20 s per publish.
        await using var service = await ServiceFixture.StartAsync(null, null, null, "--Ingest:MaxCommitDelayMs", "60000");
        using var a = await service.ConnectClientAsync("device-a");

        for (var seq = 1; seq <= 5; seq++)
        {
            var result = await ServiceFixture.PublishAsync(a, "equipment/v1/site1/mri01/logs", Batch("edge-a", seq, seq)).WaitAsync(Wait);
            Assert.True(result.IsSuccess);
        }

        Assert.Equal(5, (await service.StatsAsync()).GetProperty("batchesAccepted").GetInt64());
    }
}
