using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using EquipmentTwin.Analytics.Rul;
using EquipmentTwin.Storage.Models;
using EquipmentTwin.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using MQTTnet;

namespace EquipmentTwin.Service.Tests;

/// <summary>
/// The real service with two versions of a learned RUL model for the CT gantry bearing in its registry (v1 promoted
/// over the API) and a CT whose bearing vibration follows the models' wear law over 60 days of a 64-day life.
/// </summary>
public sealed class RulServiceFixture : IAsyncLifetime
{
    public const string Device = "ct-rul-1";
    public const double Life = 64;
    public const int DaysSent = 60;
    public static readonly DateTimeOffset T0 = new(2026, 3, 2, 0, 0, 0, TimeSpan.Zero);
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private readonly TempDirectory _models = new("rul-models");
    private int _seq;

    public ServiceFixture Service { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        foreach (var v in new[] { 1, 2 })
        {
            var history = RulCsvReader.Parse(Encoding.UTF8.GetBytes(DailyWearHistories.Training(18, v)), $"bearings-{v}.csv");
            RulTrainer.Fit(history, new RulTrainingOptions { Seed = v, Trees = 40 }).Save(Path.Combine(_models.Path, "v" + v));
        }

        Service = await ServiceFixture.StartAsync();
        var registry = Service.App.Services.GetRequiredService<IModelRegistry>();
        var now = DateTimeOffset.UtcNow;
        foreach (var v in new[] { 1, 2 })
        {
            await registry.RegisterAsync(new ModelRecord
            {
                Kind = DailyWearHistories.Kind, Version = v, Reason = "fitted for the test", Source = $"bearings-{v}.csv", Seeds = [v],
                Artifact = Path.Combine(_models.Path, "v" + v), CreatedAt = now, ChangedAt = now, ChangedBy = "test",
            }, default);
        }

        Assert.Equal(HttpStatusCode.OK, await PromoteAsync(1, "first bearing model"));
        await PublishDaysAsync(0, DaysSent);
    }

    public async Task<HttpStatusCode> PromoteAsync(int version, string reason)
    {
        using var response = await Service.Http.PostAsJsonAsync($"/api/models/{DailyWearHistories.Kind}/{version}/promote", new { reason });
        return response.StatusCode;
    }

    /// <summary>Nameplate, then one batch per day: vibration and detector temperature every 2 hours of event time.</summary>
    public async Task PublishDaysAsync(int from, int to)
    {
        var client = await Service.ConnectClientAsync("rul-" + from);
        await ServiceFixture.PublishAsync(client, $"equipment/v1/s1/{Device}/nameplate", """{"modality":"ct","vendor":"Acme","model":"C64","serial":"SN-rul"}""");
        for (var d = from; d < to; d++)
        {
            var records = new StringBuilder();
            for (var h = 0; h < 24; h += 2)
            {
                var ms = (T0 + TimeSpan.FromDays(d) + TimeSpan.FromHours(h)).ToUnixTimeMilliseconds();
                var v = DailyWearHistories.VibrationAt(d + h / 24.0, Life).ToString("0.0000", CultureInfo.InvariantCulture);
                records.Append(records.Length > 0 ? "," : "")
                    .Append($$"""{"ts":{{ms}},"type":"param","name":"{{DailyWearHistories.Vibration}}","value":{{v}}},{"ts":{{ms}},"type":"param","name":"{{DailyWearHistories.Temperature}}","value":36}""");
            }

            await ServiceFixture.PublishAsync(client, $"equipment/v1/s1/{Device}/logs", $$"""{"schema":"equipment-log/1","source":"rul-src","seq":{{++_seq}},"records":[{{records}}]}""");
        }

        await client.DisconnectAsync();
        client.Dispose();
    }

    public Task<JsonElement> TwinWithBandAsync(Func<JsonElement, bool> band, string what) =>
        Eventually.HoldsAsync(() => Service.GetJsonAsync("/api/devices/" + Device),
            t => t.GetProperty("analysis").GetProperty("remainingLife").EnumerateArray().Any(band), Wait, what);

    public async Task DisposeAsync()
    {
        await Service.DisposeAsync();
        _models.Dispose();
    }
}

public sealed class RulServiceTests(RulServiceFixture fx) : IClassFixture<RulServiceFixture>
{
    [Fact]
    public async Task A_promoted_RUL_model_gives_the_twin_its_band_and_fusion_its_evidence_and_a_promotion_swaps_it_without_a_restart()
    {
        var twin = await fx.TwinWithBandAsync(b => b.GetProperty("component").GetString() == "gantry_bearing", "a RUL band on " + RulServiceFixture.Device);
        var band = twin.GetProperty("analysis").GetProperty("remainingLife").EnumerateArray().Single();
        var (p10, p50, p90) = (band.GetProperty("p10Days").GetDouble(), band.GetProperty("p50Days").GetDouble(), band.GetProperty("p90Days").GetDouble());
        Assert.True(p10 <= p50 && p50 <= p90, $"ordered band {band}");
        Assert.True(band.GetProperty("near").GetBoolean(), $"about 5 of 64 days left: {band}");
        Assert.True(p50 < 30, $"P50 {p50} d, about 5 days left");
        Assert.Equal(RulServiceFixture.DaysSent - 1, band.GetProperty("days").GetInt32());
        var model = band.GetProperty("model").GetString()!;
        Assert.True(model is "rul-ct-gantry_bearing v1" or "rul-ct-gantry_bearing v2", model);
        Assert.StartsWith("rul-ct-gantry_bearing v", twin.GetProperty("analysis").GetProperty("modelVersions").GetProperty("rul").GetString());

        // Fusion cites the learned RUL: an alert on the bearing with evidence from engine rul, source rul.
        var alerts = await Eventually.HoldsAsync(() => fx.Service.GetJsonAsync($"/api/alerts?device={RulServiceFixture.Device}"), j => j.GetProperty("count").GetInt32() > 0, RulServiceFixture.Wait, "an alert");
        var alert = alerts.GetProperty("alerts").EnumerateArray().Single(a => a.GetProperty("component").GetString() == "gantry_bearing");
        var rul = alert.GetProperty("evidence").EnumerateArray().Single(e => e.GetProperty("engine").GetString() == "rul");
        Assert.Equal("rul", rul.GetProperty("source").GetString());
        Assert.StartsWith("rul-ct-gantry_bearing v", rul.GetProperty("forecast").GetProperty("model").GetString());
        Assert.Contains("rul", alert.GetProperty("engines").EnumerateArray().Select(e => e.GetString()));
        // The RUL band is not a signal forecast: the twin's forecasts hold none.
        Assert.DoesNotContain(twin.GetProperty("analysis").GetProperty("forecasts").EnumerateArray(), f => f.GetProperty("signal").GetString() == RulEngine.Source);

        // Promote v2 over the API: the running engine uses it at once, the twin names it after the next day's data.
        Assert.Equal(HttpStatusCode.OK, await fx.PromoteAsync(2, "refitted on more bearings"));
        var engine = fx.Service.App.Services.GetRequiredService<RulEngine>();
        Assert.Equal(2, Assert.Single(engine.Models).Version);
        await fx.PublishDaysAsync(RulServiceFixture.DaysSent, RulServiceFixture.DaysSent + 1);
        var after = await fx.TwinWithBandAsync(b => b.GetProperty("model").GetString() == "rul-ct-gantry_bearing v2" && b.GetProperty("days").GetInt32() == RulServiceFixture.DaysSent, "the band of v2");
        Assert.StartsWith("rul-ct-gantry_bearing v2", after.GetProperty("analysis").GetProperty("modelVersions").GetProperty("rul").GetString());
        var models = await fx.Service.GetJsonAsync($"/api/models?kind={DailyWearHistories.Kind}");
        Assert.Contains(models.GetProperty("models").EnumerateArray(), m => m.GetProperty("version").GetInt32() == 2 && m.GetProperty("inUse").GetBoolean());
    }

    [Fact]
    public async Task Device_page_draws_the_RUL_band_with_its_P50_and_names_the_model_in_use()
    {
        await fx.TwinWithBandAsync(b => b.GetProperty("component").GetString() == "gantry_bearing", "a RUL band");
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1366, Height = 768 } });
        page.SetDefaultTimeout(20_000);
        await page.GotoAsync($"http://127.0.0.1:{fx.Service.HttpPort}/devices/{RulServiceFixture.Device}");

        var figure = page.Locator("figure[data-rul='gantry_bearing']");
        await figure.WaitForAsync();
        var rect = figure.Locator("svg rect.rul-band");
        var p50 = figure.Locator("svg line.rul-p50");
        var (x, width) = (double.Parse((await rect.GetAttributeAsync("x"))!, CultureInfo.InvariantCulture), double.Parse((await rect.GetAttributeAsync("width"))!, CultureInfo.InvariantCulture));
        var mark = double.Parse((await p50.GetAttributeAsync("x1"))!, CultureInfo.InvariantCulture);
        Assert.True(width > 0, "the P10–P90 band has a width");
        Assert.InRange(mark, x, x + width);
        var caption = await figure.Locator("figcaption").InnerTextAsync();
        Assert.Contains("P50", caption);
        Assert.Contains("P10", caption);
        Assert.Contains("P90", caption);
        Assert.Contains("Near", caption);
        Assert.Matches("rul-ct-gantry_bearing v[12]", await figure.Locator(".rul-model").InnerTextAsync());
        Assert.Contains("P50", await figure.Locator("[role=img]").GetAttributeAsync("aria-label"));
        // The models in use name the RUL model beside rules, physics and anomaly.
        Assert.Matches("rul-ct-gantry_bearing v[12]", await page.Locator("section[aria-labelledby=mv]").InnerTextAsync());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "workbench-artifacts")).FullName, "device-rul.png"), FullPage = true });
    }
}
