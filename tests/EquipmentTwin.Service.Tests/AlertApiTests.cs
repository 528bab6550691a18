using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using EquipmentTwin.Testing;
using MQTTnet;

namespace EquipmentTwin.Service.Tests;

/// <summary>Alert actions, the audit trail and maintenance entry over the HTTP API, on a real service fed over MQTT.</summary>
public sealed class AlertApiTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static readonly DateTimeOffset T0 = new(2026, 11, 24, 0, 0, 0, TimeSpan.Zero);

    /// <summary>An MRI whose cold head runs hot for four hours: the rules open an error alert on the cold head.</summary>
    internal static async Task<string> OpenColdHeadAlertAsync(ServiceFixture service, string device)
    {
        var client = await service.ConnectClientAsync("test-" + device);
        await ServiceFixture.PublishAsync(client, $"equipment/v1/site1/{device}/nameplate",
            """{"modality":"mri","vendor":"Acme","model":"M15","serial":"SN-""" + device + "\"}");
        var seq = 1;
        for (var hour = 0; hour < 5; hour++)
        {
            var records = new StringBuilder();
            for (var m = 0; m < 60; m += 5)
            {
                var ts = (T0 + TimeSpan.FromMinutes(hour * 60 + m)).ToUnixTimeMilliseconds();
                if (records.Length > 0)
                {
                    records.Append(',');
                }

                records.Append($$"""{"ts":{{ts}},"type":"param","name":"coldhead_stage2_k","value":4.9},{"ts":{{ts}},"type":"param","name":"he_level_pct","value":80}""");
            }

            await ServiceFixture.PublishAsync(client, $"equipment/v1/site1/{device}/logs", $$"""{"schema":"equipment-log/1","source":"src-{{device}}","seq":{{seq++}},"records":[{{records}}]}""");
        }

        await client.DisconnectAsync();
        client.Dispose();
        var alerts = await Eventually.HoldsAsync(() => service.GetJsonAsync($"/api/alerts?device={device}"), j => j.GetProperty("count").GetInt32() > 0, Wait, "an alert on " + device);
        return alerts.GetProperty("alerts")[0].GetProperty("id").GetString()!;
    }

    [Fact]
    public async Task Acknowledge_resolve_and_false_alarm_follow_the_state_machine_and_land_in_the_audit_trail()
    {
        await using var service = await ServiceFixture.StartAsync();
        var id = await OpenColdHeadAlertAsync(service, "mri-a");
        Assert.StartsWith("mri-a-cold_head-", id);

        var ack = await PostAsync(service, $"/api/alerts/{id}/ack", """{"comment":"looking at it"}""");
        Assert.Equal(HttpStatusCode.OK, ack.Status);
        Assert.Equal("acknowledged", ack.Body.GetProperty("state").GetString());
        Assert.Equal("demo-engineer", ack.Body.GetProperty("acknowledgedBy").GetString());

        Assert.Equal(HttpStatusCode.Conflict, (await PostAsync(service, $"/api/alerts/{id}/ack", null)).Status);

        var resolved = await PostAsync(service, $"/api/alerts/{id}/resolve", """{"comment":"cold head adsorber changed"}""");
        Assert.Equal(HttpStatusCode.OK, resolved.Status);
        Assert.Equal("resolved", resolved.Body.GetProperty("state").GetString());
        Assert.Equal("demo-engineer", resolved.Body.GetProperty("closedBy").GetString());
        Assert.Equal("cold head adsorber changed", resolved.Body.GetProperty("closedReason").GetString());

        var again = await PostAsync(service, $"/api/alerts/{id}/resolve", null);
        Assert.Equal(HttpStatusCode.Conflict, again.Status);
        Assert.Equal("application/problem+json", again.ContentType);
        Assert.Equal(HttpStatusCode.Conflict, (await PostAsync(service, $"/api/alerts/{id}/false-alarm", null)).Status);

        var history = await service.GetJsonAsync($"/api/alerts/{id}/history");
        var entries = history.GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal(["opened", "acknowledged", "resolved"], entries.Select(e => e.GetProperty("action").GetString()).Where(a => a != "updated"));
        Assert.Equal("system", entries[0].GetProperty("by").GetString());
        var ackEntry = entries.Single(e => e.GetProperty("action").GetString() == "acknowledged");
        Assert.Equal("demo-engineer", ackEntry.GetProperty("by").GetString());
        Assert.Equal("open", ackEntry.GetProperty("from").GetString());
        Assert.Equal("acknowledged", ackEntry.GetProperty("to").GetString());
        Assert.Equal("looking at it", ackEntry.GetProperty("comment").GetString());
        // Event time is the device's clock (November 2026 here); wall time is now.
        Assert.StartsWith("2026-11-24T0", ackEntry.GetProperty("eventTime").GetString());
        var wall = DateTimeOffset.Parse(ackEntry.GetProperty("wallTime").GetString()!);
        Assert.True(Math.Abs((DateTimeOffset.UtcNow - wall).TotalMinutes) < 5, "wall time is the service's clock");
    }

    [Fact]
    public async Task False_alarm_closes_an_open_alert_and_unknown_alerts_and_bad_bodies_are_refused()
    {
        await using var service = await ServiceFixture.StartAsync();
        var id = await OpenColdHeadAlertAsync(service, "mri-b");

        foreach (var action in new[] { "ack", "resolve", "false-alarm" })
        {
            var missing = await PostAsync(service, $"/api/alerts/nope-1/{action}", null);
            Assert.Equal(HttpStatusCode.NotFound, missing.Status);
            Assert.Equal("application/problem+json", missing.ContentType);
        }

        using (var h = await service.Http.GetAsync("/api/alerts/nope-1/history"))
        {
            Assert.Equal(HttpStatusCode.NotFound, h.StatusCode);
        }

        foreach (var bad in new[] { "not json", "[1,2]", """{"by":"someone else"}""", """{"comment":5}""", """{"colour":"red"}""", "{\"comment\":\"" + new string('x', 2001) + "\"}" })
        {
            var r = await PostAsync(service, $"/api/alerts/{id}/false-alarm", bad);
            Assert.True(r.Status == HttpStatusCode.BadRequest, $"{bad[..Math.Min(20, bad.Length)]} gave {r.Status}");
            Assert.Equal("application/problem+json", r.ContentType);
            Assert.Equal(400, r.Body.GetProperty("status").GetInt32());
        }

        // The bad bodies changed nothing.
        Assert.Equal("open", (await service.GetJsonAsync($"/api/alerts/{id}")).GetProperty("state").GetString());
        var fa = await PostAsync(service, $"/api/alerts/{id}/false-alarm", """{"reason":"sensor cable loose"}""");
        Assert.Equal(HttpStatusCode.OK, fa.Status);
        Assert.Equal("false-alarm", fa.Body.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, fa.Body.GetProperty("acknowledgedBy").ValueKind);
        Assert.Equal(HttpStatusCode.Conflict, (await PostAsync(service, $"/api/alerts/{id}/ack", null)).Status);
        var history = await service.GetJsonAsync($"/api/alerts/{id}/history");
        var last = history.GetProperty("entries").EnumerateArray().Last();
        Assert.Equal(("false-alarm", "demo-engineer", "sensor cable loose"), (last.GetProperty("to").GetString(), last.GetProperty("by").GetString(), last.GetProperty("comment").GetString()));
    }

    [Fact]
    public async Task A_repair_entered_over_the_api_resolves_the_alert_it_explains_like_an_mqtt_record()
    {
        await using var service = await ServiceFixture.StartAsync();
        var id = await OpenColdHeadAlertAsync(service, "mri-c");

        Assert.Equal(HttpStatusCode.NotFound, (await PostAsync(service, "/api/devices/nope/maintenance", """{"component":"cold_head","action":"repaired"}""")).Status);
        foreach (var bad in new[] { "{", """{"component":"cold_head","action":"painted"}""", """{"component":"flux_capacitor","action":"repaired"}""",
                     """{"component":"cold_head","action":"repaired","engineer":"J. Doe"}""", """{"component":"cold_head","action":"repaired","date":"yesterday"}""", """{"action":"repaired"}""" })
        {
            var r = await PostAsync(service, "/api/devices/mri-c/maintenance", bad);
            Assert.True(r.Status == HttpStatusCode.BadRequest, $"{bad} gave {r.Status}");
        }

        var created = await PostAsync(service, "/api/devices/mri-c/maintenance", """{"component":"cold_head","action":"repaired","date":"2026-11-24T05:30:00Z","text":"displacer seal replaced"}""");
        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal("demo-engineer", created.Body.GetProperty("engineer").GetString());

        var alert = await Eventually.HoldsAsync(() => service.GetJsonAsync($"/api/alerts/{id}"), a => a.GetProperty("state").GetString() == "resolved", Wait, "the repair to resolve the alert");
        Assert.Equal("demo-engineer", alert.GetProperty("closedBy").GetString());
        Assert.Equal(JsonValueKind.Null, alert.GetProperty("acknowledgedBy").ValueKind);
        Assert.False(string.IsNullOrEmpty(alert.GetProperty("openedOn").GetString()), "the evidence the alert opened on");
        Assert.Contains("displacer seal replaced", alert.GetProperty("closedReason").GetString());
        var records = await service.GetJsonAsync("/api/devices/mri-c/maintenance");
        Assert.Equal("repair", records.GetProperty("records")[0].GetProperty("action").GetString());
        // The audit entry is written with the alert's store write, just after fusion changed the alert in memory.
        var history = await Eventually.HoldsAsync(() => service.GetJsonAsync($"/api/alerts/{id}/history"),
            h => h.GetProperty("entries").EnumerateArray().Any(e => e.GetProperty("to").GetString() == "resolved"), Wait, "the resolution in the audit trail");
        var last = history.GetProperty("entries").EnumerateArray().Last();
        Assert.Equal(("resolved", "demo-engineer"), (last.GetProperty("to").GetString(), last.GetProperty("by").GetString()));

        // CSV round trip: export, import into the same device again (records are keyed, so nothing doubles), then one more.
        var csv = await service.Http.GetStringAsync("/api/devices/mri-c/maintenance.csv");
        Assert.Contains("mri-c,2026-11-24T05:30:00.000Z,cold_head,repair,displacer seal replaced,demo-engineer", csv);
        using var import = await service.Http.PostAsync("/api/devices/mri-c/maintenance.csv",
            new StringContent("ts,component,action,text\r\n2026-11-24,cryostat,service,\"top-off, 95 %\"\r\nbad,cryostat,service,x\r\n", Encoding.UTF8, "text/csv"));
        var result = await import.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, result.GetProperty("imported").GetInt32());
        Assert.Equal(3, result.GetProperty("rejected")[0].GetProperty("line").GetInt32());
        Assert.Equal(2, (await service.GetJsonAsync("/api/devices/mri-c/maintenance")).GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task The_twin_carries_health_forecasts_and_open_alerts_and_signals_downsample_into_buckets()
    {
        await using var service = await ServiceFixture.StartAsync();
        var id = await OpenColdHeadAlertAsync(service, "mri-d");

        var twin = await Eventually.HoldsAsync(() => service.GetJsonAsync("/api/devices/mri-d"), t => t.GetProperty("analysis").GetProperty("openAlerts").GetArrayLength() > 0, Wait, "the twin to hold the open alert");
        var analysis = twin.GetProperty("analysis");
        Assert.Equal(id, analysis.GetProperty("openAlerts")[0].GetProperty("id").GetString());
        Assert.NotEqual("ok", analysis.GetProperty("health").GetString());
        Assert.True(analysis.GetProperty("risk").GetDouble() > 0);
        Assert.True(analysis.GetProperty("modelVersions").TryGetProperty("rules", out _));
        var list = await service.GetJsonAsync("/api/devices");
        Assert.Equal(id, list.GetProperty("devices")[0].GetProperty("analysis").GetProperty("openAlerts")[0].GetProperty("id").GetString());

        var from = T0.ToUnixTimeMilliseconds();
        var to = (T0 + TimeSpan.FromHours(5)).ToUnixTimeMilliseconds();
        var buckets = await service.GetJsonAsync($"/api/devices/mri-d/signals/coldhead_stage2_k?from={from}&to={to}&points=10");
        Assert.Equal(30 * 60_000, buckets.GetProperty("bucketMs").GetInt64());
        Assert.Equal(10, buckets.GetProperty("count").GetInt32());
        var first = buckets.GetProperty("buckets")[0];
        Assert.Equal((6, 4.9, 4.9), (first.GetProperty("count").GetInt32(), first.GetProperty("min").GetDouble(), first.GetProperty("max").GetDouble()));
        var raw = await service.GetJsonAsync($"/api/devices/mri-d/signals/coldhead_stage2_k?from={from}&to={to}&limit=10");
        Assert.True(raw.GetProperty("truncated").GetBoolean());
        using var badPoints = await service.Http.GetAsync($"/api/devices/mri-d/signals/coldhead_stage2_k?points=0");
        Assert.Equal(HttpStatusCode.BadRequest, badPoints.StatusCode);
    }

    private static async Task<(HttpStatusCode Status, string? ContentType, JsonElement Body)> PostAsync(ServiceFixture service, string path, string? body)
    {
        using var content = body is null ? null : new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await service.Http.PostAsync(path, content);
        var text = await response.Content.ReadAsStringAsync();
        var json = text.Length > 0 ? JsonDocument.Parse(text).RootElement.Clone() : default;
        return (response.StatusCode, response.Content.Headers.ContentType?.MediaType, json);
    }
}
