using System.Security.Cryptography;
using EquipmentTwin.Service.Broker;
using EquipmentTwin.Testing;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Protocol;

namespace EquipmentTwin.Service.Tests;

/// <summary>What a careless or hostile publisher can cost: huge payloads at the broker and in quarantine, and the quarantine API's size.</summary>
public sealed class HardeningTests
{
    private const string Topic = "equipment/v1/site1/ct01/logs";

    private static MqttApplicationMessage Message(byte[] payload) =>
        new MqttApplicationMessageBuilder().WithTopic(Topic).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();

    private static long DatabaseBytes(string dir) =>
        Directory.EnumerateFiles(dir, "twin.db*").Sum(f => new FileInfo(f).Length);

    [Fact]
    public async Task A_payload_of_many_megabytes_is_quarantined_as_its_head_size_and_sha256_not_whole()
    {
        // The broker limit raised so the payload reaches ingest, whose own limit (1 MB) rejects it. 12 MB rather than the
        // 60 MB of the report: what is kept does not depend on the size, and MQTTnet takes tens of seconds for 60 MB here.
        await using var service = await ServiceFixture.StartAsync(extraArgs: ["--Mqtt:MaxPayloadBytes", (64 * 1024 * 1024).ToString()]);
        using var client = await service.ConnectClientAsync("big-1");
        var payload = new byte[12 * 1024 * 1024];
        new Random(7).NextBytes(payload);
        "{\"schema\":\"equipment-log/1\""u8.CopyTo(payload);

        var result = await client.PublishAsync(Message(payload));

        Assert.True(result.IsSuccess, result.ReasonString);
        var page = await service.GetJsonAsync("/api/quarantine");
        var entry = Assert.Single(page.GetProperty("entries").EnumerateArray());
        Assert.Equal("payload-too-large", entry.GetProperty("reason").GetString());
        Assert.Equal(payload.LongLength, entry.GetProperty("payloadBytes").GetInt64());
        Assert.Equal(4096, entry.GetProperty("payloadKeptBytes").GetInt32());
        Assert.True(entry.GetProperty("payloadTruncated").GetBoolean());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(payload)), entry.GetProperty("payloadSha256").GetString());
        Assert.Equal("base64", entry.GetProperty("payloadEncoding").GetString());
        Assert.Equal(payload[..4096], Convert.FromBase64String(entry.GetProperty("payload").GetString()!));
        Assert.InRange(DatabaseBytes(service.DataDir), 1, 4 * 1024 * 1024);
    }

    [Fact]
    public async Task The_embedded_broker_refuses_and_counts_a_payload_over_its_limit()
    {
        await using var service = await ServiceFixture.StartAsync(extraArgs: ["--Mqtt:MaxPayloadBytes", "100000"]);
        using var client = await service.ConnectClientAsync("big-2");

        var refused = await client.PublishAsync(Message(new byte[100_001]));
        var taken = await client.PublishAsync(Message("""{"schema":"equipment-log/1","source":"s","seq":1,"records":[{"ts":1795485600000,"type":"param","name":"he_level_pct","value":70}]}"""u8.ToArray()));

        Assert.Equal(MqttClientPublishReasonCode.QuotaExceeded, refused.ReasonCode);
        Assert.True(taken.IsSuccess);
        var broker = service.App.Services.GetRequiredService<EmbeddedBroker>();
        Assert.Equal(1, broker.RefusedOversize);
        Assert.Equal(1, broker.RefusedPublishes);
        var stats = await service.StatsAsync();
        Assert.Equal(1, stats.GetProperty("recordsAccepted").GetInt64());
        Assert.Equal(0, stats.GetProperty("rejected").GetInt64());
        Assert.Equal(0, (await service.GetJsonAsync("/api/quarantine")).GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task Quarantine_is_read_in_pages_that_together_hold_every_entry_once()
    {
        await using var service = await ServiceFixture.StartAsync();
        using var client = await service.ConnectClientAsync("bad-1");
        for (var i = 0; i < 5; i++)
        {
            Assert.True((await client.PublishAsync(Message(System.Text.Encoding.UTF8.GetBytes("{broken " + i)))).IsSuccess);
        }

        var ids = new List<long>();
        var pages = new List<int>();
        string? next = "/api/quarantine?limit=2";
        while (next is not null)
        {
            var page = await service.GetJsonAsync(next);
            var entries = page.GetProperty("entries").EnumerateArray().ToList();
            pages.Add(entries.Count);
            ids.AddRange(entries.Select(e => e.GetProperty("id").GetInt64()));
            next = page.GetProperty("next").GetString();
            Assert.Equal(next is null, page.GetProperty("continuation").ValueKind == System.Text.Json.JsonValueKind.Null);
        }

        Assert.Equal([2, 2, 1], pages);
        Assert.Equal(5, ids.Distinct().Count());
        Assert.Equal(ids.OrderByDescending(x => x), ids);
    }
}
