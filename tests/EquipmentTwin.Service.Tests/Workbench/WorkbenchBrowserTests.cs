using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using EquipmentTwin.Service.Api;
using EquipmentTwin.Testing;
using Microsoft.Playwright;
using MQTTnet;

namespace EquipmentTwin.Service.Tests.Workbench;

/// <summary>The workbench pages in a real browser against the real service.</summary>
public sealed class WorkbenchBrowserTests(WorkbenchFixture fx) : IClassFixture<WorkbenchFixture>
{
    [Fact]
    public async Task Fleet_page_lists_the_devices_riskiest_first_and_keeps_filters_in_the_url()
    {
        var page = await fx.NewPageAsync();
        await page.GotoAsync(fx.BaseUrl + "/");
        var rows = page.Locator("tbody#rows tr");
        await Eventually.HoldsAsync(() => rows.CountAsync(), n => n >= 4, WorkbenchFixture.Wait, "four devices on the fleet page");
        await page.Locator($"tr[data-device='{WorkbenchFixture.Forecasting}'] svg.spark").WaitForAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(WorkbenchFixture.Artifacts, "fleet.png"), FullPage = true });

        var shown = await rows.EvaluateAllAsync<string[]>("rs => rs.map(r => r.dataset.device)");
        var api = (await fx.Service.GetJsonAsync("/api/devices")).GetProperty("devices").EnumerateArray()
            .Select(d => (Id: d.GetProperty("id").GetString()!, Risk: d.GetProperty("analysis").GetProperty("risk").GetDouble())).ToList();
        // Risk order: the API's risk of each row, top to bottom, never rises (ties are ranked by open alerts, then id).
        var risks = shown.Select(id => api.Single(d => d.Id == id).Risk).ToArray();
        Assert.True(risks.Zip(risks.Skip(1)).All(p => p.First >= p.Second), string.Join(", ", shown.Zip(risks)));
        // The forecasting device and the one with a hot cold head (open whatever the other tests did) rank above the healthy one.
        Assert.True(Array.IndexOf(shown, WorkbenchFixture.Healthy) > Math.Max(Array.IndexOf(shown, WorkbenchFixture.Forecasting), Array.IndexOf(shown, WorkbenchFixture.ToAcknowledge)), string.Join(", ", shown));
        Assert.True(api.Single(d => d.Id == shown[0]).Risk > 0);

        await page.GetByLabel("Search by device id or serial").FillAsync("SN-" + WorkbenchFixture.Healthy);
        await Eventually.HoldsAsync(() => rows.CountAsync(), n => n == 1, WorkbenchFixture.Wait, "the search to leave one device");
        Assert.Contains("q=SN-" + WorkbenchFixture.Healthy, page.Url);
        await page.ReloadAsync();
        await Eventually.HoldsAsync(() => rows.CountAsync(), n => n == 1, WorkbenchFixture.Wait, "the filter to survive a reload from the URL");
    }

    [Fact]
    public async Task Device_page_draws_a_forecast_with_its_band_threshold_and_crossing_date()
    {
        var page = await fx.NewPageAsync();
        await page.GotoAsync($"{fx.BaseUrl}/devices/{WorkbenchFixture.Forecasting}?range=30d");
        var figure = page.Locator("figure[data-forecast='cold_head']");
        await figure.Locator("canvas").WaitForAsync();
        var caption = await figure.Locator("figcaption").InnerTextAsync();
        Assert.Contains("threshold 4.6", caption);
        Assert.Contains("P10", caption);
        Assert.Contains("P90", caption);
        Assert.Contains("(above)", caption);
        Assert.Contains("threshold", await figure.Locator("[role=img]").GetAttributeAsync("aria-label"));
        // The legend of the chart names the trend and the threshold line; the canvas is drawn (not blank).
        Assert.Contains("threshold 4.6", await figure.InnerTextAsync());
        var inked = await figure.Locator("canvas").EvaluateAsync<int>("c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n; }");
        Assert.True(inked > 1000, $"the forecast canvas has {inked} drawn pixels");
        await page.Locator("figure canvas").Nth(1).WaitForAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(WorkbenchFixture.Artifacts, "device.png"), FullPage = true });
    }

    [Fact]
    public async Task Acknowledging_in_the_page_changes_the_alert_over_the_api_and_lands_in_the_audit_trail()
    {
        var id = (await fx.AlertOfAsync(WorkbenchFixture.ToAcknowledge)).GetProperty("id").GetString()!;
        var page = await fx.NewPageAsync();
        await page.GotoAsync($"{fx.BaseUrl}/alerts/{id}");
        // What the alert opened on, as the API says.
        var openedOn = (await fx.Service.GetJsonAsync($"/api/alerts/{id}")).GetProperty("openedOn").GetString()!;
        Assert.Equal($"Opened on: {openedOn}", await page.Locator("#opened-on").InnerTextAsync());
        await page.GetByLabel("Comment").FillAsync("on site tomorrow <b>08:00</b>");
        await page.GetByRole(AriaRole.Button, new() { Name = "Acknowledge" }).ClickAsync();
        await page.GetByText("Done: the alert is acknowledged.").WaitForAsync();

        var alert = await fx.Service.GetJsonAsync($"/api/alerts/{id}");
        Assert.Equal(("acknowledged", "demo-engineer"), (alert.GetProperty("state").GetString(), alert.GetProperty("acknowledgedBy").GetString()));
        var history = await fx.Service.GetJsonAsync($"/api/alerts/{id}/history");
        var entry = history.GetProperty("entries").EnumerateArray().Single(e => e.GetProperty("action").GetString() == "acknowledged");
        Assert.Equal(("demo-engineer", "on site tomorrow <b>08:00</b>"), (entry.GetProperty("by").GetString(), entry.GetProperty("comment").GetString()));

        // The page shows the trail, with the comment as text (escaped, not markup).
        await page.Locator("#audit tr", new() { HasText = "on site tomorrow <b>08:00</b>" }).WaitForAsync();
        Assert.Equal(0, await page.Locator("#audit b").CountAsync());
        // The page redrew itself to show the trail; the outcome of the action stays on it.
        Assert.Equal("Done: the alert is acknowledged.", await page.Locator("#act-msg").InnerTextAsync());
        Assert.True(await page.GetByRole(AriaRole.Button, new() { Name = "Acknowledge" }).IsDisabledAsync());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(WorkbenchFixture.Artifacts, "alert.png"), FullPage = true });
    }

    [Fact]
    public async Task A_maintenance_entry_made_in_the_page_resolves_the_matching_alert()
    {
        var id = (await fx.AlertOfAsync(WorkbenchFixture.ToRepair)).GetProperty("id").GetString()!;
        var page = await fx.NewPageAsync();
        await page.GotoAsync($"{fx.BaseUrl}/devices/{WorkbenchFixture.ToRepair}");
        await page.GetByLabel("Component").SelectOptionAsync("cold_head");
        await page.GetByLabel("Action").SelectOptionAsync("repaired");
        await page.GetByLabel("What was done").FillAsync("displacer seal replaced");
        await page.GetByRole(AriaRole.Button, new() { Name = "Record maintenance" }).ClickAsync();
        await page.GetByText("Recorded: repair of cold_head by demo-engineer.").WaitForAsync();

        var alert = await Eventually.HoldsAsync(() => fx.Service.GetJsonAsync($"/api/alerts/{id}"), a => a.GetProperty("state").GetString() == "resolved", WorkbenchFixture.Wait, "the repair to resolve " + id);
        Assert.Equal("demo-engineer", alert.GetProperty("closedBy").GetString());
        await page.Locator("table[aria-label='Maintenance records'] tr", new() { HasText = "displacer seal replaced" }).WaitForAsync();
    }

    [Fact]
    public async Task A_live_update_arrives_without_a_reload()
    {
        var page = await fx.NewPageAsync();
        await page.GotoAsync(fx.BaseUrl + "/");
        await page.Locator("tbody#rows tr").First.WaitForAsync();
        await page.GetByText("live").First.WaitForAsync();
        await page.EvaluateAsync("() => { window.__sameDocument = true; }");

        var client = await fx.Service.ConnectClientAsync("workbench-live");
        await fx.PublishDeviceAsync(client, "mr-wb-live", WorkbenchFixture.End - TimeSpan.FromHours(1), WorkbenchFixture.End, _ => 4.1, _ => 80);
        await client.DisconnectAsync();
        client.Dispose();

        await page.Locator("tr[data-device='mr-wb-live']").WaitForAsync();
        Assert.True(await page.EvaluateAsync<bool>("() => window.__sameDocument === true"), "the page was not reloaded");
    }

    [Fact]
    public async Task Csv_exports_parse_and_hold_what_the_api_holds()
    {
        var alertsCsv = Csv.Parse(await fx.Service.Http.GetStringAsync("/api/export/alerts.csv"));
        var alertsApi = (await fx.Service.GetJsonAsync("/api/alerts?state=all")).GetProperty("alerts").EnumerateArray().ToList();
        var header = alertsCsv[0];
        var rows = alertsCsv.Skip(1).ToDictionary(r => r[header.IndexOf("id")], r => r);
        Assert.Equal(alertsApi.Count, rows.Count);
        foreach (var a in alertsApi)
        {
            var r = rows[a.GetProperty("id").GetString()!];
            Assert.Equal(a.GetProperty("state").GetString(), r[header.IndexOf("state")]);
            Assert.Equal(a.GetProperty("deviceId").GetString(), r[header.IndexOf("deviceId")]);
            Assert.Equal(a.GetProperty("confidence").GetDouble(), double.Parse(r[header.IndexOf("confidence")], System.Globalization.CultureInfo.InvariantCulture));
        }

        var forecasts = Csv.Parse(await fx.Service.Http.GetStringAsync("/api/export/forecasts.csv"));
        var twin = await fx.Service.GetJsonAsync("/api/devices/" + WorkbenchFixture.Forecasting);
        var f = twin.GetProperty("analysis").GetProperty("forecasts")[0];
        var fr = forecasts.Skip(1).Single(r => r[0] == WorkbenchFixture.Forecasting && r[3] == f.GetProperty("signal").GetString());
        Assert.Equal(f.GetProperty("p50").GetString(), fr[forecasts[0].IndexOf("p50")]);

        var from = (WorkbenchFixture.End - TimeSpan.FromHours(6)).ToUnixTimeMilliseconds();
        var to = WorkbenchFixture.End.ToUnixTimeMilliseconds();
        var signals = Csv.Parse(await fx.Service.Http.GetStringAsync($"/api/devices/{WorkbenchFixture.Healthy}/signals.csv?from={from}&to={to}&signals=coldhead_stage2_k,he_level_pct"));
        var raw = await fx.Service.GetJsonAsync($"/api/devices/{WorkbenchFixture.Healthy}/signals/coldhead_stage2_k?from={from}&to={to}");
        var csvPoints = signals.Skip(1).Where(r => r[1] == "coldhead_stage2_k").ToList();
        Assert.Equal(raw.GetProperty("count").GetInt32(), csvPoints.Count);
        Assert.Equal(raw.GetProperty("points")[0].GetProperty("ts").GetString(), csvPoints[0][0]);
        Assert.Equal(raw.GetProperty("points")[0].GetProperty("value").GetDouble(), double.Parse(csvPoints[0][2], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(2 * csvPoints.Count, signals.Count - 1);
    }

    /// <summary>
    /// Page load to "drawn" (fleet: every row with its sparkline; device: every chart, 30 days of 5-minute readings) five
    /// times each; the medians are written to the test output for docs/dashboard.md. Asserts only that the pages drew.
    /// </summary>
    [Fact]
    public async Task Fleet_and_device_pages_draw_and_their_load_times_are_recorded()
    {
        var page = await fx.NewPageAsync();
        var fleet = new List<double>();
        var device = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            var sw = Stopwatch.StartNew();
            await page.GotoAsync(fx.BaseUrl + "/");
            await page.Locator($"tr[data-device='{WorkbenchFixture.Healthy}'] svg.spark").WaitForAsync();
            fleet.Add(sw.Elapsed.TotalMilliseconds);
            sw.Restart();
            await page.GotoAsync($"{fx.BaseUrl}/devices/{WorkbenchFixture.Forecasting}?range=30d");
            await page.Locator("figure[data-forecast] canvas").WaitForAsync();
            await Eventually.HoldsAsync(() => page.Locator("figure canvas").CountAsync(), n => n >= 3, WorkbenchFixture.Wait, "the device page's charts");
            device.Add(sw.Elapsed.TotalMilliseconds);
        }

        static double Median(List<double> v) => v.Order().ElementAt(v.Count / 2);
        var assets = Web.WorkbenchPages.Assets();
        string[] lines =
        [
            $"fleet page load (median of 5): {Median(fleet):0} ms  [{string.Join(", ", fleet.Select(x => x.ToString("0")))}]",
            $"device page load, range 30 d (median of 5): {Median(device):0} ms  [{string.Join(", ", device.Select(x => x.ToString("0")))}]",
            $"shipped front-end assets: {assets.Count} files, {assets.Sum(a => a.Bytes)} bytes (uncompressed)",
            .. assets.Select(a => $"  {a.Name} {a.Bytes}"),
        ];
        await File.WriteAllLinesAsync(Path.Combine(WorkbenchFixture.Artifacts, "timing.txt"), lines);
        Assert.Equal(5, device.Count);
        Assert.Contains(assets, a => a.Name == "vendor/uplot/uPlot.esm.js");
    }
}
