using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EquipmentTwin.Analytics.Anomaly;
using EquipmentTwin.Analytics.Pipeline;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Service.Models;
using EquipmentTwin.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace EquipmentTwin.Service.Tests;

/// <summary>The model registry over HTTP on a real service: champions from the saved models, promotion and rollback audited and swapped in without a restart.</summary>
public sealed class ModelApiTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    /// <summary>The first version of the repository's models, plus an MRI v2 (a copy of v1 under the next version).</summary>
    private static void TwoMriVersions(string dir)
    {
        ShippedModels.CopyFirstVersions(dir);
        var mri = Path.Combine(dir, "mri", "anomaly");
        File.Copy(Path.Combine(mri, "v1.zip"), Path.Combine(mri, "v2.zip"));
        File.WriteAllText(Path.Combine(mri, "v2.json"), File.ReadAllText(Path.Combine(mri, "v1.json")).Replace("\"version\": 1,", "\"version\": 2,"));
    }

    private static int MriVersionInUse(ServiceFixture service) =>
        ((AnomalyEngine)service.App.Services.GetRequiredKeyedService<SwappableEngine>(ModelKinds.AnomalyPrefix).Current).Models.For(Modality.Mri)!.Version;

    private static async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(ServiceFixture service, string path, object? body)
    {
        using var response = await service.Http.PostAsJsonAsync(path, body);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    [Fact]
    public async Task Promote_and_rollback_are_audited_with_the_identity_and_swap_the_model_in_without_a_restart()
    {
        using var models = new TempDirectory("models");
        TwoMriVersions(models.Path);
        await using var service = await ServiceFixture.StartAsync(null, null, null, "--Analytics:ModelsDirectory", models.Path, "--Analytics:ModelWarmupHours", "0");

        var list = await service.GetJsonAsync("/api/models");
        var byKey = list.GetProperty("models").EnumerateArray().ToDictionary(m => $"{m.GetProperty("kind").GetString()}/{m.GetProperty("version").GetInt32()}");
        Assert.Equal("champion", byKey["anomaly-mri/2"].GetProperty("state").GetString());
        Assert.Equal("candidate", byKey["anomaly-mri/1"].GetProperty("state").GetString());
        Assert.True(byKey["anomaly-mri/2"].GetProperty("inUse").GetBoolean());
        Assert.True(byKey["anomaly-mri/2"].GetProperty("validation").GetProperty("heldOutRows").GetDouble() > 0);
        Assert.Equal(("champion", "champion"), (byKey["rules/1"].GetProperty("state").GetString(), byKey["physics/1"].GetProperty("state").GetString()));
        Assert.Equal(2, MriVersionInUse(service));

        using (var missing = await service.Http.GetAsync("/api/models/anomaly-mri/9"))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
            Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
        }

        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync(service, "/api/models/anomaly-mri/1/promote", new { reason = " " })).Status);
        var (status, promoted) = await PostAsync(service, "/api/models/anomaly-mri/1/promote", new { reason = "v2 raises more false alarms on site 3" });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(("champion", "demo-engineer"), (promoted.GetProperty("state").GetString(), promoted.GetProperty("changedBy").GetString()));
        Assert.Equal(1, MriVersionInUse(service));

        await AlertApiTests.OpenColdHeadAlertAsync(service, "mri-models");
        var twin = await Eventually.HoldsAsync(() => service.GetJsonAsync("/api/devices/mri-models"), t => t.GetProperty("analysis").GetProperty("modelVersions").GetProperty("anomaly").GetString()!.StartsWith("anomaly-mri v1", StringComparison.Ordinal), Wait, "the twin to name the model in use");
        Assert.StartsWith("rules v1", twin.GetProperty("analysis").GetProperty("modelVersions").GetProperty("rules").GetString());

        var (rolled, back) = await PostAsync(service, "/api/models/anomaly-mri/rollback", new { reason = "v1 was promoted by mistake" });
        Assert.Equal(HttpStatusCode.OK, rolled);
        Assert.Equal((1, 2), (back.GetProperty("retired").GetProperty("version").GetInt32(), back.GetProperty("restored").GetProperty("version").GetInt32()));
        Assert.Equal(2, MriVersionInUse(service));
        Assert.Equal(HttpStatusCode.Conflict, (await PostAsync(service, "/api/models/anomaly-mri/rollback", new { reason = "again" })).Status);

        var history = await service.GetJsonAsync("/api/models/anomaly-mri/history");
        var entries = history.GetProperty("entries").EnumerateArray().Select(e => (e.GetProperty("by").GetString(), e.GetProperty("action").GetString(), e.GetProperty("from").GetString(), e.GetProperty("to").GetString(), e.GetProperty("comment").GetString())).ToList();
        Assert.Equal(("system", "promoted", null, "v2", "highest saved version; no champion was recorded"), entries[0]);
        Assert.Equal(("demo-engineer", "promoted", "v2", "v1", "v2 raises more false alarms on site 3"), entries[1]);
        Assert.Equal(("demo-engineer", "rolled-back", "v1", "v2", "v1 was promoted by mistake"), entries[2]);
    }
}
