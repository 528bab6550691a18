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

    [Fact]
    public async Task A_device_re_registered_with_another_modality_is_refused_into_quarantine()
    {
        await using var service = await ServiceFixture.StartAsync();
        using var client = await service.ConnectClientAsync("np-1");
        await ServiceFixture.PublishAsync(client, "equipment/v1/site1/ct01/nameplate", """{"modality":"ct","vendor":"Acme","model":"C64","software":"1.0"}""");
        await ServiceFixture.PublishAsync(client, "equipment/v1/site1/ct01/nameplate", """{"modality":"mri","vendor":"Acme","model":"M15"}""");
        await ServiceFixture.PublishAsync(client, "equipment/v1/site1/ct01/nameplate", """{"modality":"ct","vendor":"Acme","model":"C64","software":"2.0"}""");

        var twin = await service.GetJsonAsync("/api/devices/ct01");
        Assert.Equal("ct", twin.GetProperty("nameplate").GetProperty("modality").GetString());
        Assert.Equal("2.0", twin.GetProperty("nameplate").GetProperty("software").GetString());
        var entry = Assert.Single((await service.GetJsonAsync("/api/quarantine")).GetProperty("entries").EnumerateArray());
        Assert.Equal("modality-changed", entry.GetProperty("reason").GetString());
        Assert.Contains("\"mri\"", entry.GetProperty("payload").GetString());
    }

    [Fact]
    public async Task A_raw_range_over_its_limit_says_truncated_and_pages_on_with_a_continuation()
    {
        await using var service = await ServiceFixture.StartAsync();
        using var client = await service.ConnectClientAsync("range-1");
        await ServiceFixture.PublishAsync(client, "equipment/v1/site1/mri01/logs", InfluxStoreServiceTests.Batch("edge-r", 1, records: 5));

        var timestamps = new List<string>();
        var truncated = new List<bool>();
        string? next = "/api/devices/mri01/signals/he_level_pct?from=1795485600000&to=1795500000000&limit=2";
        while (next is not null)
        {
            var page = await service.GetJsonAsync(next);
            truncated.Add(page.GetProperty("truncated").GetBoolean());
            timestamps.AddRange(page.GetProperty("points").EnumerateArray().Select(p => p.GetProperty("ts").GetString()!));
            next = page.GetProperty("next").GetString();
        }

        Assert.Equal([true, true, false], truncated);
        Assert.Equal(5, timestamps.Distinct().Count());
        Assert.Equal(timestamps.Order(StringComparer.Ordinal), timestamps);
        var whole = await service.GetJsonAsync("/api/devices/mri01/signals/he_level_pct?from=1795485600000&to=1795500000000&limit=5");
        Assert.False(whole.GetProperty("truncated").GetBoolean());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, whole.GetProperty("continuation").ValueKind);
    }

    [Theory]
    [InlineData("GET", "/api/no-such-thing", null, 404)]
    [InlineData("DELETE", "/api/devices", null, 405)]
    [InlineData("GET", "/api/devices/ct01/signals/he_level_pct?limit=abc", null, 400)]
    [InlineData("GET", "/api/devices/ct01/signals/he_level_pct?from=yesterday", null, 400)]
    [InlineData("GET", "/api/devices/nope/signals/he_level_pct", null, 404)]
    [InlineData("POST", "/api/devices/ct01/maintenance", "{broken", 400)]
    public async Task Every_http_error_is_a_problem_details_document(string method, string path, string? body, int status)
    {
        await using var service = await ServiceFixture.StartAsync();
        using (var client = await service.ConnectClientAsync("pd-1"))
        {
            await ServiceFixture.PublishAsync(client, "equipment/v1/site1/ct01/nameplate", """{"modality":"ct","vendor":"Acme","model":"C64"}""");
        }

        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
        {
            request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        }

        using var response = await service.Http.SendAsync(request);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var doc = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(status, doc.RootElement.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(doc.RootElement.GetProperty("title").GetString()));
    }
}
