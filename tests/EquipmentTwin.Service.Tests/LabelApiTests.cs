using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using EquipmentTwin.Testing;

namespace EquipmentTwin.Service.Tests;

/// <summary>An engineer's false alarm and a maintenance record entered over the API become labels with their provenance.</summary>
public sealed class LabelApiTests
{
    [Fact]
    public async Task A_false_alarm_and_a_repair_become_labels_with_who_when_and_source()
    {
        await using var service = await ServiceFixture.StartAsync();
        var id = await AlertApiTests.OpenColdHeadAlertAsync(service, "mri-l");
        using (var fa = await service.Http.PostAsync($"/api/alerts/{id}/false-alarm", new StringContent("""{"comment":"sensor cable loose"}""", Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.OK, fa.StatusCode);
        }

        using (var repair = await service.Http.PostAsync("/api/devices/mri-l/maintenance", new StringContent("""{"component":"compressor","action":"repaired","date":"2026-11-24T06:00:00Z","text":"oil topped up"}""", Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.Created, repair.StatusCode);
        }

        var labels = await Eventually.HoldsAsync(() => service.GetJsonAsync("/api/labels?device=mri-l"), j => j.GetProperty("count").GetInt32() == 2, TimeSpan.FromSeconds(30), "two labels");
        var byKind = labels.GetProperty("labels").EnumerateArray().ToDictionary(l => l.GetProperty("kind").GetString()!);
        var falseAlarm = byKind["false-alarm"];
        Assert.Equal((id, "demo-engineer", "api", "sensor cable loose", "cold_head"),
            (falseAlarm.GetProperty("alert").GetString(), falseAlarm.GetProperty("who").GetString(), falseAlarm.GetProperty("source").GetString(), falseAlarm.GetProperty("comment").GetString(), falseAlarm.GetProperty("component").GetString()));
        var fault = byKind["confirmed-fault"];
        Assert.Equal(("2026-11-24T06:00:00.000Z", "demo-engineer", "maintenance record", "repair: oil topped up"),
            (fault.GetProperty("at").GetString(), fault.GetProperty("who").GetString(), fault.GetProperty("source").GetString(), fault.GetProperty("comment").GetString()));

        var csv = await service.Http.GetStringAsync("/api/labels.csv");
        Assert.StartsWith("kind,device,component,at,until,alert,who,recorded_at,source,comment\n", csv);
        Assert.Contains($"false-alarm,mri-l,cold_head,", csv);
    }
}
