using System.Text.Json;
using EquipmentTwin.Testing;
using MQTTnet;
using MQTTnet.Protocol;

namespace EquipmentTwin.Service.Tests;

/// <summary>What an operator scrapes and reads: Prometheus metrics at /metrics and the OpenAPI description of the HTTP API.</summary>
public sealed class OperabilityTests
{
    private const string Logs = "equipment/v1/site1/mri01/logs";

    [Fact]
    public async Task Metrics_count_ingest_store_broker_and_alerts_in_prometheus_text()
    {
        await using var service = await ServiceFixture.StartAsync(extraArgs: ["--Mqtt:MaxPayloadBytes", "10000"]);
        using var client = await service.ConnectClientAsync("metrics-1");
        await ServiceFixture.PublishAsync(client, "equipment/v1/site1/mri01/nameplate", """{"modality":"mri","vendor":"Acme","model":"M15"}""");
        await ServiceFixture.PublishAsync(client, Logs, InfluxStoreServiceTests.Batch("edge-m", 1, records: 3));
        await ServiceFixture.PublishAsync(client, Logs, InfluxStoreServiceTests.Batch("edge-m", 1, records: 3));
        await ServiceFixture.PublishAsync(client, Logs, "{broken");
        var refused = await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(Logs).WithPayload(new byte[10_001]).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        Assert.False(refused.IsSuccess);

        using var response = await service.Http.GetAsync("/metrics");
        Assert.True(response.IsSuccessStatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n');

        Assert.Contains("equipmenttwin_ingest_records_total 3", lines);
        Assert.Contains("equipmenttwin_ingest_duplicates_total 1", lines);
        Assert.Contains("equipmenttwin_ingest_rejected_total 1", lines);
        Assert.Contains("equipmenttwin_ingest_messages_total 4", lines);
        Assert.Contains("equipmenttwin_broker_refused_total{kind=\"oversize\"} 1", lines);
        Assert.Contains("equipmenttwin_broker_up 1", lines);
        Assert.Contains("equipmenttwin_store_write_failures_total 0", lines);
        Assert.Contains("equipmenttwin_alerts{state=\"open\"} 0", lines);
        Assert.Contains("# TYPE equipmenttwin_store_writes_total counter", lines);
        Assert.Contains("# TYPE equipmenttwin_ingest_queue_depth gauge", lines);
        Assert.Contains("# TYPE equipmenttwin_analytics_queue_depth gauge", lines);
        var writes = lines.Single(l => l.StartsWith("equipmenttwin_store_writes_total ", StringComparison.Ordinal));
        Assert.InRange(long.Parse(writes.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture), 1, 4);
    }

    [Fact]
    public async Task The_http_api_is_described_by_an_openapi_document()
    {
        await using var service = await ServiceFixture.StartAsync();

        var doc = await service.GetJsonAsync("/openapi/v1.json");

        Assert.StartsWith("3.", doc.GetProperty("openapi").GetString());
        Assert.Equal("EquipmentTwin", doc.GetProperty("info").GetProperty("title").GetString());
        var paths = doc.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToHashSet();
        foreach (var path in new[] { "/api/devices", "/api/devices/{id}", "/api/devices/{id}/signals/{name}", "/api/quarantine", "/api/ingest/stats", "/api/alerts/{id}/ack", "/api/devices/{id}/maintenance" })
        {
            Assert.Contains(path, paths);
        }

        Assert.True(doc.GetProperty("paths").GetProperty("/api/alerts/{id}/ack").TryGetProperty("post", out _));
        var signalParameters = doc.GetProperty("paths").GetProperty("/api/devices/{id}/signals/{name}").GetProperty("get").GetProperty("parameters")
            .EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToHashSet();
        Assert.Superset(new HashSet<string?> { "id", "name", "from", "to", "limit", "points" }, signalParameters);
        Assert.DoesNotContain("/metrics", paths);
    }
}
