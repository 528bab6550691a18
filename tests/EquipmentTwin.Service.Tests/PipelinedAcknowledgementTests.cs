using EquipmentTwin.Service.Ingest;
using EquipmentTwin.Storage;
using EquipmentTwin.Storage.Sqlite;
using EquipmentTwin.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace EquipmentTwin.Service.Tests;

/// <summary>
/// The embedded broker reads a connection's next QoS 1 publish while the previous one waits for its commit, and
/// holds each PUBACK until its own message is committed.
/// </summary>
public class PipelinedAcknowledgementTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private const string Topic = "equipment/v1/site1/mri01/logs";

    private static string Batch(string source, long seq, int minute) =>
        $$"""{"schema":"equipment-log/1","source":"{{source}}","seq":{{seq}},"records":[{"ts":"2026-11-24T02:{{minute:00}}:00.000Z","type":"param","name":"he_level_pct","value":{{70 + minute}}}]}""";

    [Fact]
    public async Task A_connections_next_publish_is_queued_while_the_previous_one_waits_for_its_commit_and_neither_is_acknowledged_before_it()
    {
        using var dir = new TempDirectory();
        GatedStore? store = null;
        await using var service = await ServiceFixture.StartAsync(s => s.AddSingleton<ITelemetryStore>(_ => store = new GatedStore(SqliteTelemetryStore.Open(dir.Path))), dir.Path);
        var pipeline = service.App.Services.GetRequiredService<IngestPipeline>();
        using var a = await service.ConnectClientAsync("device-a");

        store!.Close();
        var first = ServiceFixture.PublishAsync(a, Topic, Batch("edge-a", 1, 0));
        await Eventually.HoldsAsync(() => Volatile.Read(ref store.WriteAttempts) >= 1, Wait, "the first write to start");
        var second = ServiceFixture.PublishAsync(a, Topic, Batch("edge-a", 2, 1));
        // Decoded and queued although the first message of the same connection is not acknowledged yet.
        await Eventually.HoldsAsync(() => pipeline.QueueDepth >= 1, Wait, "the second message to be queued behind the held write");

        Assert.False(first.IsCompleted, "PUBACK of the first message before its commit");
        Assert.False(second.IsCompleted, "PUBACK of the second message before its commit");
        Assert.Equal(0, (await service.StatsAsync()).GetProperty("recordsAccepted").GetInt64());

        store.Release();
        var results = await Task.WhenAll(first, second).WaitAsync(Wait);

        Assert.All(results, r => Assert.True(r.IsSuccess));
        Assert.Equal(2, (await service.StatsAsync()).GetProperty("batchesAccepted").GetInt64());
    }

    [Fact]
    public async Task A_message_the_store_cannot_take_is_never_acknowledged_its_connection_is_closed_and_a_resend_is_stored_once()
    {
        using var dir = new TempDirectory();
        GatedStore? store = null;
        await using var service = await ServiceFixture.StartAsync(s => s.AddSingleton<ITelemetryStore>(_ => store = new GatedStore(SqliteTelemetryStore.Open(dir.Path))), dir.Path, null, "--Store:WriteRetries", "0");
        using var a = await service.ConnectClientAsync("device-a");

        store!.FailNext(1);
        using var cts = new CancellationTokenSource(Wait);
        var failed = ServiceFixture.PublishAsync(a, Topic, Batch("edge-a", 1, 0), cts.Token);
        await Eventually.HoldsAsync(() => !a.IsConnected, Wait, "the broker to close the connection");

        // The publish ends without a PUBACK: as a failure, never as a success.
        MQTTnet.MqttClientPublishResult? result = null;
        var thrown = await Record.ExceptionAsync(async () => result = await failed.WaitAsync(Wait));
        Assert.True(thrown is not null || result is { IsSuccess: false }, "a message that was not stored was acknowledged");
        Assert.Equal(0, (await service.StatsAsync()).GetProperty("batchesAccepted").GetInt64());

        using var again = await service.ConnectClientAsync("device-a");
        var resent = await ServiceFixture.PublishAsync(again, Topic, Batch("edge-a", 1, 0)).WaitAsync(Wait);
        var duplicate = await ServiceFixture.PublishAsync(again, Topic, Batch("edge-a", 1, 0)).WaitAsync(Wait);

        Assert.True(resent.IsSuccess);
        Assert.True(duplicate.IsSuccess);
        var stats = await service.StatsAsync();
        Assert.Equal(1, stats.GetProperty("batchesAccepted").GetInt64());
        Assert.Equal(1, stats.GetProperty("duplicatesDropped").GetInt64());
    }
}
