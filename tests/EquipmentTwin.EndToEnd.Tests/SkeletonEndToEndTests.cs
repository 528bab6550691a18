using System.Text.Json;
using EquipmentTwin.Testing;

namespace EquipmentTwin.EndToEnd.Tests;

/// <summary>The walking skeleton with real processes: Debian's mosquitto_pub → twin serve (embedded broker, SQLite) → HTTP API.</summary>
public class SkeletonEndToEndTests
{
    private const string Site = "e2esite";
    private const string Device = "e2emri01";
    private static readonly string Topic = $"equipment/v1/{Site}/{Device}";
    private const string Nameplate = """{"modality":"mri","vendor":"Acme","model":"M15","serial":"S1","installed":"2020-01-01","software":"1.0"}""";
    private const string Batch1 = """{"schema":"equipment-log/1","source":"e2e-agent","seq":1,"records":[{"ts":"2026-11-24T02:00:00.000Z","type":"param","name":"he_level_pct","value":71.2},{"ts":"2026-11-24T02:01:00.000Z","type":"param","name":"he_level_pct","value":71.1},{"ts":"2026-11-24T02:01:30.000Z","type":"event","code":"MR-HE-201","severity":"warning","text":"Helium level low"}]}""";
    private const string Batch2 = """{"schema":"equipment-log/1","source":"e2e-agent","seq":5,"records":[{"ts":"2026-11-24T02:02:00.000Z","type":"param","name":"he_level_pct","value":71.0}]}""";
    private const string Range = "from=2026-11-24T00:00:00Z&to=2026-11-25T00:00:00Z";

    private static double[] Values(JsonElement series) =>
        series.GetProperty("points").EnumerateArray().Select(p => p.GetProperty("value").GetDouble()).ToArray();

    [Fact]
    public async Task Mosquitto_pub_to_twin_serve_stores_once_quarantines_bad_input_and_keeps_ingesting()
    {
        using var data = new TempDirectory("e2e");
        await using var twin = await TwinProcess.StartAsync(data.Path);

        await twin.MosquittoPubAsync($"{Topic}/nameplate", Nameplate, retain: true);
        await twin.MosquittoPubAsync($"{Topic}/logs", Batch1);
        await twin.MosquittoPubAsync($"{Topic}/logs", Batch1);
        await twin.MosquittoPubAsync($"{Topic}/logs", """{"schema":"equipment-log/1","source":"e2e-agent","seq":2,"records":[{"ts":""");
        await twin.MosquittoPubAsync($"{Topic}/logs", """{"schema":"nope/9","source":"e2e-agent","seq":3,"records":[]}""");
        await twin.MosquittoPubAsync($"{Topic}/logs", """{"schema":"equipment-log/1","source":"e2e-agent","seq":4,"records":[{"ts":"yesterday","type":"param","name":"he_level_pct","value":1}]}""");
        await twin.MosquittoPubAsync($"{Topic}/logs", Batch2);

        // mosquitto_pub returns after PUBACK, and the service acknowledges only after commit: no waiting needed.
        var devices = await twin.GetJsonAsync("/api/devices");
        var device = devices.GetProperty("devices").EnumerateArray().Single(d => d.GetProperty("id").GetString() == Device);
        Assert.Equal("mri", device.GetProperty("modality").GetString());
        Assert.Equal(Site, device.GetProperty("site").GetString());
        Assert.Equal(71.0, device.GetProperty("latest").GetProperty("he_level_pct").GetProperty("value").GetDouble());

        var series = await twin.GetJsonAsync($"/api/devices/{Device}/signals/he_level_pct?{Range}");
        Assert.Equal(new[] { 71.2, 71.1, 71.0 }, Values(series));
        Assert.Equal("%", series.GetProperty("unit").GetString());

        var events = await twin.GetJsonAsync($"/api/devices/{Device}/events?{Range}");
        Assert.Equal("MR-HE-201", events.GetProperty("events").EnumerateArray().Single().GetProperty("code").GetString());

        var stats = await twin.GetJsonAsync("/api/ingest/stats");
        Assert.Equal(1, stats.GetProperty("duplicatesDropped").GetInt64());
        Assert.Equal(4, stats.GetProperty("recordsAccepted").GetInt64());

        var quarantine = await twin.GetJsonAsync("/api/quarantine");
        var reasons = quarantine.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("reason").GetString()).ToHashSet();
        Assert.Equal(3, quarantine.GetProperty("count").GetInt32());
        Assert.Equal(["bad-timestamp", "malformed-json", "schema-mismatch"], reasons.Order());

        await twin.MosquittoPubAsync($"{Topic}/logs", """{"schema":"equipment-log/1","source":"e2e-agent","seq":6,"records":[{"ts":"2026-11-24T02:03:00.000Z","type":"param","name":"he_level_pct","value":70.9}]}""");
        var got = Values(await twin.GetJsonAsync($"/api/devices/{Device}/signals/he_level_pct?{Range}"));
        Assert.Equal(new[] { 71.2, 71.1, 71.0, 70.9 }, got);
        Assert.Equal("healthy", (await twin.GetJsonAsync("/health")).GetProperty("status").GetString());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Restarted_service_keeps_data_and_dedup_positions(bool killHard)
    {
        using var data = new TempDirectory("e2e");
        var mqttPort = TestPorts.Free();
        await using (var first = await TwinProcess.StartAsync(data.Path, mqttPort))
        {
            await first.MosquittoPubAsync($"{Topic}/nameplate", Nameplate, retain: true);
            await first.MosquittoPubAsync($"{Topic}/logs", Batch1);
            await first.MosquittoPubAsync($"{Topic}/logs", Batch2);
            if (killHard)
            {
                await first.KillAsync();
            }
            else
            {
                await first.StopAsync();
            }
        }

        await using var second = await TwinProcess.StartAsync(data.Path, mqttPort);
        var twin = await second.GetJsonAsync($"/api/devices/{Device}");
        Assert.Equal("mri", twin.GetProperty("nameplate").GetProperty("modality").GetString());
        var got = Values(await second.GetJsonAsync($"/api/devices/{Device}/signals/he_level_pct?{Range}"));
        Assert.Equal(new[] { 71.2, 71.1, 71.0 }, got);

        await second.MosquittoPubAsync($"{Topic}/logs", Batch1);
        var stats = await second.GetJsonAsync("/api/ingest/stats");
        Assert.Equal(1, stats.GetProperty("duplicatesDropped").GetInt64());
        Assert.Equal(4, stats.GetProperty("recordsAccepted").GetInt64());
        got = Values(await second.GetJsonAsync($"/api/devices/{Device}/signals/he_level_pct?{Range}"));
        Assert.Equal(new[] { 71.2, 71.1, 71.0 }, got);
    }

    [Fact]
    public async Task Unknown_flag_is_refused_with_a_clear_error()
    {
        var (code, output) = await ExternalProcess.RunAsync("dotnet", [TwinProcess.TwinDll, "serve", "--mqtt-prot", "1"], TimeSpan.FromSeconds(60));

        Assert.Equal(2, code);
        Assert.Contains("unknown option '--mqtt-prot'", output);
    }
}
