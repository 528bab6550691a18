using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using EquipmentTwin.Service.Analytics;
using EquipmentTwin.Testing;
using MQTTnet;

namespace EquipmentTwin.Service.Tests;

/// <summary>Physics calibrations per device and model are versions in the registry, with their time range and held-out residual.</summary>
public sealed class PhysicsCalibrationTests
{
    private const string Device = "ct-cal-1";
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static readonly string Kind = PhysicsCalibrations.KindOf(Device, "ct-gantry-bearing");

    private static async Task<int> PublishDaysAsync(ServiceFixture service, int from, int to, int seq)
    {
        var client = await service.ConnectClientAsync("cal-" + from);
        await ServiceFixture.PublishAsync(client, $"equipment/v1/s1/{Device}/nameplate", """{"modality":"ct","vendor":"Acme","model":"C64","serial":"SN-cal"}""");
        for (var d = from; d < to; d++)
        {
            var records = new StringBuilder();
            for (var h = 0; h < 24; h++)
            {
                var ms = (T0 + TimeSpan.FromDays(d) + TimeSpan.FromHours(h)).ToUnixTimeMilliseconds();
                // A healthy bearing: 1.0 mm/s with a daily ripple (the held-out residual is not zero).
                var v = (1.0 + 0.05 * Math.Sin(h / 24.0 * 2 * Math.PI)).ToString("0.0000", CultureInfo.InvariantCulture);
                records.Append(records.Length > 0 ? "," : "").Append($$"""{"ts":{{ms}},"type":"param","name":"gantry_vibration_mm_s","value":{{v}}}""");
            }

            await ServiceFixture.PublishAsync(client, $"equipment/v1/s1/{Device}/logs", $$"""{"schema":"equipment-log/1","source":"cal-src","seq":{{++seq}},"records":[{{records}}]}""");
        }

        await client.DisconnectAsync();
        client.Dispose();
        return seq;
    }

    /// <summary>A calibration is registered, then promoted in a second step: wait for the promotion, not only the registration.</summary>
    private static bool IsChampion(JsonElement version) => version.GetProperty("state").GetString() == "champion";

    private static Task<JsonElement> VersionsAsync(ServiceFixture service, Func<JsonElement[], bool> until, string what) =>
        Eventually.HoldsAsync(async () => (await service.GetJsonAsync($"/api/models?kind={Kind}")).GetProperty("models"), m => until(m.EnumerateArray().ToArray()), Wait, what);

    [Fact]
    public async Task Each_calibration_of_a_device_is_a_version_with_its_time_range_and_held_out_residual_and_a_repair_makes_the_next()
    {
        await using var service = await ServiceFixture.StartAsync();
        var seq = await PublishDaysAsync(service, 0, 9, 0);

        var first = (await VersionsAsync(service, m => m.Length == 1 && IsChampion(m[0]), "the first calibration, champion")).EnumerateArray().Single();
        Assert.Equal(("champion", 1), (first.GetProperty("state").GetString(), first.GetProperty("version").GetInt32()));
        Assert.Equal("first calibration on this device's data", first.GetProperty("reason").GetString());
        Assert.Equal(T0, DateTimeOffset.Parse(first.GetProperty("trainedFrom").GetString()!, CultureInfo.InvariantCulture));
        Assert.Equal(T0 + TimeSpan.FromDays(7), DateTimeOffset.Parse(first.GetProperty("trainedTo").GetString()!, CultureInfo.InvariantCulture));
        var validation = first.GetProperty("validation");
        Assert.InRange(validation.GetProperty("baseline").GetDouble(), 0.95, 1.05);
        Assert.InRange(validation.GetProperty("heldOutRmse").GetDouble(), 0.001, 0.06);
        Assert.True(validation.GetProperty("heldOutHours").GetDouble() >= 30);

        // The device page's "models in use" (the twin's modelVersions) lists the calibration in use.
        var twin = await Eventually.HoldsAsync(() => service.GetJsonAsync("/api/devices/" + Device),
            t => t.GetProperty("analysis").GetProperty("modelVersions").TryGetProperty("physics-cal ct-gantry-bearing", out var v) && v.GetString()!.StartsWith("v1 ", StringComparison.Ordinal), Wait, "the calibration in the twin");
        Assert.Contains("held-out RMSE", twin.GetProperty("analysis").GetProperty("modelVersions").GetProperty("physics-cal ct-gantry-bearing").GetString());

        // A repair of the bearing: the next calibration, on the data after it, is v2; v1 is retired.
        using (var repair = await service.Http.PostAsJsonAsync($"/api/devices/{Device}/maintenance", new { component = "gantry_bearing", action = "repaired", date = "2026-03-11T00:00:00Z", text = "bearing regreased" }))
        {
            Assert.Equal(HttpStatusCode.Created, repair.StatusCode);
        }

        await PublishDaysAsync(service, 9, 19, seq);
        var versions = (await VersionsAsync(service, m => m.Length == 2 && m.Any(v => v.GetProperty("version").GetInt32() == 2 && IsChampion(v)), "the second calibration, champion")).EnumerateArray().ToDictionary(m => m.GetProperty("version").GetInt32());
        Assert.Equal("champion", versions[2].GetProperty("state").GetString());
        Assert.Equal("retired", versions[1].GetProperty("state").GetString());
        Assert.StartsWith("recalibrated on data after 2026-03-11", versions[2].GetProperty("reason").GetString());
        Assert.True(DateTimeOffset.Parse(versions[2].GetProperty("trainedFrom").GetString()!, CultureInfo.InvariantCulture) >= new DateTimeOffset(2026, 3, 11, 0, 0, 0, TimeSpan.Zero));
        await Eventually.HoldsAsync(() => service.GetJsonAsync("/api/devices/" + Device),
            t => t.GetProperty("analysis").GetProperty("modelVersions").GetProperty("physics-cal ct-gantry-bearing").GetString()!.StartsWith("v2 ", StringComparison.Ordinal), Wait, "v2 in the twin");
    }
}
