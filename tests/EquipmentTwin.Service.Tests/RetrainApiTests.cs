using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EquipmentTwin.Core.Catalog;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Storage;
using EquipmentTwin.Storage.Sqlite;
using EquipmentTwin.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace EquipmentTwin.Service.Tests;

/// <summary>Retraining from the service's own store over HTTP: a job resource, one at a time, per-modality decisions recorded in the registry and the audit trail; and the schedule.</summary>
public sealed class RetrainApiTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private static readonly long T0 = DateTimeOffset.Parse("2026-06-01T00:00:00Z").ToUnixTimeMilliseconds();

    /// <summary>Four MRIs and two CTs with 16 days of plain healthy readings every 15 minutes (each signal near the middle of its normal range).</summary>
    private static async Task FillStoreAsync(string dir)
    {
        var catalog = SignalCatalog.LoadDirectory(RepoPaths.Catalog);
        var random = new Random(7);
        await using var store = SqliteTelemetryStore.Open(dir);
        var now = DateTimeOffset.UtcNow;
        var devices = new[] { "mr-r1", "mr-r2", "mr-r3", "mr-r4" }.Select(d => (Id: d, Modality: Modality.Mri))
            .Concat(new[] { "ct-r1", "ct-r2" }.Select(d => (Id: d, Modality: Modality.Ct)));
        foreach (var (id, modality) in devices)
        {
            await store.WriteAsync([new NameplateItem("r", id, new Nameplate(modality, "Vendor", "Model", id, "2020-01-01", "1.0"), now)], default);
            var signals = catalog.Find(modality)!.Signals.Values.OrderBy(s => s.Name, StringComparer.Ordinal).ToArray();
            var level = signals.ToDictionary(s => s.Name, s => (s.NormalMin ?? 0) + ((s.NormalMax ?? (s.NormalMin ?? 0) + 10) - (s.NormalMin ?? 0)) * (0.4 + 0.2 * random.NextDouble()));
            var seq = 0L;
            var records = new List<LogRecord>();
            for (var t = T0; t < T0 + 16 * 86_400_000L; t += 15 * 60_000)
            {
                foreach (var s in signals)
                {
                    var span = (s.NormalMax ?? 10) - (s.NormalMin ?? 0);
                    var value = s.Cumulative ? (t - T0) / 3_600_000.0 : level[s.Name] + span * 0.02 * (random.NextDouble() + random.NextDouble() - 1);
                    records.Add(LogRecord.Param(t, s.Name, value));
                }

                if (records.Count >= 5000)
                {
                    await store.WriteAsync([new BatchItem("r", id, new LogBatch("edge-" + id, ++seq, records.ToArray()), now)], default);
                    records.Clear();
                }
            }

            await store.WriteAsync([new BatchItem("r", id, new LogBatch("edge-" + id, ++seq, records.ToArray()), now)], default);
        }
    }

    [Fact]
    public async Task Retrain_is_a_job_one_at_a_time_that_gates_each_modality_and_records_the_decision()
    {
        using var data = new TempDirectory("retrain-data");
        using var models = new TempDirectory("retrain-models");
        await FillStoreAsync(data.Path);
        ShippedModels.CopyFirstVersions(models.Path);
        GatedStore? store = null;
        await using var service = await ServiceFixture.StartAsync(s => s.AddSingleton<ITelemetryStore>(_ => store = new GatedStore(SqliteTelemetryStore.Open(data.Path))), data.Path, null,
            "--Analytics:ModelsDirectory", models.Path, "--Analytics:ReplayDays", "0");

        store!.HoldReads();
        using var first = await service.Http.PostAsync("/api/models/retrain", null);
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        var job = await first.Content.ReadFromJsonAsync<JsonElement>();
        var location = first.Headers.Location!.OriginalString;
        Assert.Equal("/api/models/retrain/" + job.GetProperty("id").GetString(), location);
        Assert.Equal(("running", "demo-engineer"), (job.GetProperty("state").GetString(), job.GetProperty("requestedBy").GetString()));

        using (var second = await service.Http.PostAsync("/api/models/retrain", null))
        {
            Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
            Assert.Equal("application/problem+json", second.Content.Headers.ContentType?.MediaType);
        }

        Assert.Equal("running", (await service.GetJsonAsync(location)).GetProperty("state").GetString());
        store.ReleaseReads();
        var done = await Eventually.HoldsAsync(() => service.GetJsonAsync(location), j => j.GetProperty("state").GetString() != "running", Wait, "the retrain job to finish");
        Assert.True(done.GetProperty("state").GetString() == "succeeded", done.ToString());

        var results = done.GetProperty("results").EnumerateArray().ToDictionary(r => r.GetProperty("kind").GetString()!);
        Assert.Equal("skipped", results["anomaly-ct"].GetProperty("state").GetString());
        Assert.Contains("2 ct device(s)", results["anomaly-ct"].GetProperty("reason").GetString());
        var mri = results["anomaly-mri"];
        var state = mri.GetProperty("state").GetString();
        Assert.Contains(state, new[] { "champion", "retired" });
        Assert.Equal(2, mri.GetProperty("version").GetInt32());
        Assert.Contains("held-out mri device", mri.GetProperty("candidate").GetProperty("heldOut").GetString());
        Assert.Equal(JsonValueKind.Object, mri.GetProperty("champion").ValueKind);

        var record = await service.GetJsonAsync("/api/models/anomaly-mri/2");
        Assert.Equal(state, record.GetProperty("state").GetString());
        Assert.StartsWith("store telemetry: 2 device(s) fitted, 1 calibrated", record.GetProperty("source").GetString());
        Assert.True(record.GetProperty("validation").TryGetProperty("heldOutFalseAlarmsPer100DeviceMonths", out _));
        Assert.True(File.Exists(Path.Combine(models.Path, "mri", "anomaly", "v2.zip")));

        var history = (await service.GetJsonAsync("/api/models/anomaly-mri/history")).GetProperty("entries").EnumerateArray().Last();
        Assert.Equal(("demo-engineer", state == "champion" ? "promoted" : "refused", "v2"),
            (history.GetProperty("by").GetString(), history.GetProperty("action").GetString(), history.GetProperty("to").GetString()));
        Assert.Equal(mri.GetProperty("reason").GetString(), history.GetProperty("comment").GetString());

        using var missing = await service.Http.GetAsync("/api/models/retrain/999");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_schedule_in_the_configuration_starts_retrains_by_itself()
    {
        await using var service = await ServiceFixture.StartAsync(null, null, null, "--Models:Retrain:Every", "00:00:01", "--Analytics:ReplayDays", "0");
        var jobs = await Eventually.HoldsAsync(() => service.GetJsonAsync("/api/models/retrain"),
            j => j.GetProperty("jobs").EnumerateArray().Any(x => x.GetProperty("state").GetString() == "succeeded"), Wait, "a scheduled retrain to finish");
        var job = jobs.GetProperty("jobs").EnumerateArray().First(x => x.GetProperty("state").GetString() == "succeeded");
        Assert.Equal(("schedule", "schedule: every 00:00:01"), (job.GetProperty("requestedBy").GetString(), job.GetProperty("trigger").GetString()));
        Assert.Equal(0, job.GetProperty("results").GetArrayLength());
    }
}
