using System.Text;
using System.Text.Json;
using EquipmentTwin.Testing;
using Microsoft.Playwright;
using MQTTnet;

namespace EquipmentTwin.Service.Tests.Workbench;

/// <summary>
/// The real service with a small fleet fed over MQTT, and Debian's headless chromium driven by Playwright
/// (no browser download). The fleet: an MRI whose cold head warms steadily for 30 days (a physics forecast
/// and an alert), two whose cold head is hot (rule alerts to act on), and a healthy one.
/// </summary>
public sealed class WorkbenchFixture : IAsyncLifetime
{
    public const string Forecasting = "mr-wb-1";
    public const string ToAcknowledge = "mr-wb-2";
    public const string ToRepair = "mr-wb-3";
    public const string Healthy = "mr-wb-4";
    public static readonly DateTimeOffset End = new(2026, 11, 24, 0, 0, 0, TimeSpan.Zero);
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(45);

    private IPlaywright? _playwright;
    private int _seq;

    public ServiceFixture Service { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public string BaseUrl => $"http://127.0.0.1:{Service.HttpPort}";

    /// <summary>Screenshots go beside the test assembly (the test output folder).</summary>
    public static string Artifacts { get; } = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "workbench-artifacts")).FullName;

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        Service = await ServiceFixture.StartAsync();
        var client = await Service.ConnectClientAsync("workbench-fleet");
        // 30 days of 5-minute readings: the cold head creeps from 4.0 K towards its 4.6 K failure threshold.
        await PublishDeviceAsync(client, Forecasting, End - TimeSpan.FromDays(30), End, t => 4.0 + 0.5 * t, t => 80 - 2 * t);
        await PublishDeviceAsync(client, ToAcknowledge, End - TimeSpan.FromHours(6), End, _ => 4.9, _ => 80);
        await PublishDeviceAsync(client, ToRepair, End - TimeSpan.FromHours(6), End, _ => 4.9, _ => 80);
        await PublishDeviceAsync(client, Healthy, End - TimeSpan.FromHours(6), End, _ => 4.1, _ => 80);
        await client.DisconnectAsync();
        client.Dispose();
        await Eventually.HoldsAsync(() => Service.GetJsonAsync("/api/devices/" + Forecasting), d => d.GetProperty("analysis").GetProperty("forecasts").GetArrayLength() > 0, Wait, "a forecast on " + Forecasting);
        foreach (var d in new[] { Forecasting, ToAcknowledge, ToRepair })
        {
            await Eventually.HoldsAsync(() => Service.GetJsonAsync("/api/alerts?device=" + d), a => a.GetProperty("count").GetInt32() > 0, Wait, "an alert on " + d);
        }

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
        });
    }

    public async Task<IPage> NewPageAsync()
    {
        var page = await Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1366, Height = 768 } });
        page.SetDefaultTimeout(20_000);
        return page;
    }

    /// <summary>Nameplate and one batch per 6 hours of event time: cold head and helium level every 5 minutes (<paramref name="coldHead"/> and <paramref name="helium"/> of the share of the span done).</summary>
    public async Task PublishDeviceAsync(IMqttClient client, string device, DateTimeOffset from, DateTimeOffset to, Func<double, double> coldHead, Func<double, double> helium)
    {
        await ServiceFixture.PublishAsync(client, $"equipment/v1/wb/{device}/nameplate",
            $$"""{"modality":"mri","vendor":"Acme","model":"M15","serial":"SN-{{device}}","installed":"2020-01-01","software":"1.0"}""");
        var span = (to - from).TotalMilliseconds;
        var records = new StringBuilder();
        var count = 0;
        for (var t = from; t < to; t += TimeSpan.FromMinutes(5))
        {
            var share = (t - from).TotalMilliseconds / span;
            var ms = t.ToUnixTimeMilliseconds();
            records.Append(records.Length > 0 ? "," : "")
                .Append($$"""{"ts":{{ms}},"type":"param","name":"coldhead_stage2_k","value":{{coldHead(share).ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture)}}},""")
                .Append($$"""{"ts":{{ms}},"type":"param","name":"he_level_pct","value":{{helium(share).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)}}}""");
            if (++count == 72)
            {
                await FlushAsync();
            }
        }

        await FlushAsync();

        async Task FlushAsync()
        {
            if (records.Length > 0)
            {
                await ServiceFixture.PublishAsync(client, $"equipment/v1/wb/{device}/logs", $$"""{"schema":"equipment-log/1","source":"wb-{{device}}","seq":{{++_seq}},"records":[{{records}}]}""");
            }

            records.Clear();
            count = 0;
        }
    }

    public async Task<JsonElement> AlertOfAsync(string device) =>
        (await Service.GetJsonAsync("/api/alerts?state=all&device=" + device)).GetProperty("alerts")[0];

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        await Service.DisposeAsync();
    }
}
