using EquipmentTwin.Analytics.Anomaly;
using EquipmentTwin.Analytics.Pipeline;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Service.Models;
using EquipmentTwin.Storage.Models;
using EquipmentTwin.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace EquipmentTwin.Service.Tests;

/// <summary>The loop's gate: promoted only when at least as good on recall and on false alarms on the same held-out data.</summary>
public sealed class PromotionGateTests
{
    private static readonly HeldOutFigures Champion = new(0.70, 2.0, 10, 4, "seed 301");

    [Theory]
    [InlineData(0.80, 1.0, true, "at least as good")]
    [InlineData(0.70, 2.0, true, "at least as good")]
    [InlineData(0.60, 1.0, false, "refused, lower recall")]
    [InlineData(0.90, 3.0, false, "refused, more false alarms")]
    [InlineData(0.50, 5.0, false, "refused, lower recall and more false alarms")]
    public void Promotes_only_when_not_worse_on_recall_and_false_alarms(double recall, double falseAlarms, bool promote, string reason)
    {
        var d = PromotionGate.Decide(Champion, new HeldOutFigures(recall, falseAlarms, 10, 2, "seed 301"));
        Assert.Equal(promote, d.Promote);
        Assert.StartsWith(reason, d.Reason);
        Assert.Contains("on seed 301", d.Reason);
    }

    [Fact]
    public async Task A_worse_candidate_is_retired_with_its_figures_and_a_better_one_is_used_by_the_running_service()
    {
        using var models = new TempDirectory("models");
        var mri = Path.Combine(models.Path, "mri", "anomaly");
        Directory.CreateDirectory(mri);
        var source = Path.Combine(RepoPaths.Root, "models", "mri", "anomaly");
        foreach (var v in new[] { 1, 2, 3 })
        {
            File.Copy(Path.Combine(source, "v1.zip"), Path.Combine(mri, $"v{v}.zip"));
            if (v == 1)
            {
                File.Copy(Path.Combine(source, "v1.json"), Path.Combine(mri, "v1.json"));
            }
        }

        await using var service = await ServiceFixture.StartAsync(null, null, null, "--Analytics:ModelsDirectory", models.Path, "--Analytics:ModelWarmupHours", "0");
        var registry = service.App.Services.GetRequiredService<ModelRegistryService>();
        var slot = service.App.Services.GetRequiredKeyedService<SwappableEngine>(ModelKinds.AnomalyPrefix);
        int InUse() => ((AnomalyEngine)slot.Current).Models.For(Modality.Mri)!.Version;
        Assert.Equal(1, InUse());

        var info = AnomalyModel.Load(Path.Combine(mri, "v1.zip")).Info;
        ModelRecord Candidate(int v) => ModelRegistryService.AnomalyRecord(ModelKinds.Anomaly(Modality.Mri), info with { Version = v }, Path.Combine(mri, $"v{v}.zip"), DateTimeOffset.UtcNow);
        File.WriteAllText(Path.Combine(mri, "v2.json"), File.ReadAllText(Path.Combine(mri, "v1.json")).Replace("\"version\": 1,", "\"version\": 2,"));
        File.WriteAllText(Path.Combine(mri, "v3.json"), File.ReadAllText(Path.Combine(mri, "v1.json")).Replace("\"version\": 1,", "\"version\": 3,"));

        var (worse, refused) = await registry.SubmitAsync(Candidate(2), new HeldOutFigures(0.5, 4.0, 10, 8, "seed 301"), Champion, "trainer", default);
        Assert.False(refused.Promote);
        Assert.Equal((ModelState.Retired, 0.5), (worse.State, worse.Validation["heldOutRecall"]));
        Assert.StartsWith("refused, lower recall and more false alarms", worse.Reason);
        Assert.Equal(1, InUse());

        var (better, accepted) = await registry.SubmitAsync(Candidate(3), new HeldOutFigures(0.8, 1.0, 10, 2, "seed 301"), Champion, "trainer", default);
        Assert.True(accepted.Promote);
        Assert.Equal(ModelState.Champion, better.State);
        Assert.Equal(3, InUse());
        var history = await service.GetJsonAsync("/api/models/anomaly-mri/history");
        var actions = history.GetProperty("entries").EnumerateArray().Select(e => (e.GetProperty("action").GetString(), e.GetProperty("to").GetString())).ToList();
        Assert.Equal([("promoted", "v1"), ("refused", "v2"), ("promoted", "v3")], actions);
    }
}
