using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EquipmentTwin.Service.Security;
using EquipmentTwin.Testing;

namespace EquipmentTwin.Service.Tests;

/// <summary>Identity and roles on the HTTP API: demo mode on loopback, API keys and signed-in users otherwise.</summary>
public sealed class HttpSecurityTests
{
    private const string ViewerKey = "viewer-key-0123456789abcdef";
    private const string EngineerKey = "engineer-key-0123456789abcdef";

    private static string WriteUsers(TempDirectory dir)
    {
        var path = Path.Combine(dir.Path, "users.json");
        UserDirectory.Save(path, new UsersFile(
            [new UserEntry("alice", [Roles.Engineer], PasswordHash.Hash("alice-secret")), new UserEntry("victor", [Roles.Viewer], PasswordHash.Hash("victor-secret"))],
            [new ApiKeyEntry("grafana", [Roles.Viewer], PasswordHash.DigestKey(ViewerKey)), new ApiKeyEntry("ops", [Roles.Engineer], PasswordHash.DigestKey(EngineerKey))]));
        return path;
    }

    private static HttpRequestMessage Request(HttpMethod method, string path, string? key = null)
    {
        var r = new HttpRequestMessage(method, path);
        if (key is not null)
        {
            r.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        }

        return r;
    }

    [Fact]
    public async Task Loopback_without_users_is_demo_mode_acting_as_demo_engineer()
    {
        await using var service = await ServiceFixture.StartAsync();
        var session = await service.GetJsonAsync("/api/session");
        Assert.Equal(Roles.DemoUser, session.GetProperty("user").GetString());
        Assert.True(session.GetProperty("demo").GetBoolean());
        Assert.Contains("engineer", session.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));

        using var act = await service.Http.PostAsync("/api/alerts/nope/ack", null);
        Assert.Equal(HttpStatusCode.NotFound, act.StatusCode);
    }

    [Fact]
    public async Task Viewer_reads_but_gets_403_on_an_alert_action_and_an_engineer_passes()
    {
        using var dir = new TempDirectory();
        await using var service = await ServiceFixture.StartAsync(extraArgs: ["--Auth:UsersFile", WriteUsers(dir)]);

        using (var anonymous = await service.Http.GetAsync("/api/devices"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.Equal("application/problem+json", anonymous.Content.Headers.ContentType?.MediaType);
        }

        using (var read = await service.Http.SendAsync(Request(HttpMethod.Get, "/api/devices", ViewerKey)))
        {
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        }

        using (var forbidden = await service.Http.SendAsync(Request(HttpMethod.Post, "/api/alerts/a1/ack", ViewerKey)))
        {
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
            var problem = await forbidden.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(403, problem.GetProperty("status").GetInt32());
        }

        using (var engineer = await service.Http.SendAsync(Request(HttpMethod.Post, "/api/alerts/a1/ack", EngineerKey)))
        {
            Assert.Equal(HttpStatusCode.NotFound, engineer.StatusCode);
        }

        using (var badKey = await service.Http.SendAsync(Request(HttpMethod.Get, "/api/devices", "not-a-key")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, badKey.StatusCode);
        }

        using (var health = await service.Http.GetAsync("/health"))
        {
            Assert.NotEqual(HttpStatusCode.Unauthorized, health.StatusCode);
        }
    }

    [Fact]
    public async Task A_user_signs_in_with_a_cookie_and_sign_in_is_rate_limited()
    {
        using var dir = new TempDirectory();
        await using var service = await ServiceFixture.StartAsync(extraArgs: ["--Auth:UsersFile", WriteUsers(dir), "--Auth:SignInPerMinute", "3"]);
        using var handler = new HttpClientHandler { CookieContainer = new CookieContainer() };
        using var browser = new HttpClient(handler) { BaseAddress = service.Http.BaseAddress };

        using (var signIn = await browser.PostAsJsonAsync("/api/session", new { user = "victor", password = "victor-secret" }))
        {
            Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        }

        var session = await browser.GetFromJsonAsync<JsonElement>("/api/session");
        Assert.Equal("victor", session.GetProperty("user").GetString());
        Assert.False(session.GetProperty("demo").GetBoolean());
        using (var read = await browser.GetAsync("/api/devices"))
        {
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        }

        using (var forbidden = await browser.PostAsync("/api/alerts/a1/resolve", null))
        {
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        }

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var wrong = await service.Http.PostAsJsonAsync("/api/session", new { user = "alice", password = "guess" + i });
            statuses.Add(wrong.StatusCode);
        }

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests], statuses);
        using var page = await service.Http.GetAsync("/signin");
        Assert.Contains("<form", await page.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Demo_mode_is_refused_when_the_api_listens_beyond_loopback()
    {
        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => ServiceFixture.StartAsync(extraArgs: ["--http-bind", "0.0.0.0"]));
        Assert.Contains("Auth:UsersFile", error.Message);
    }

    [Theory]
    [InlineData("GET", "/api/devices", "viewer")]
    [InlineData("HEAD", "/api/alerts", "viewer")]
    [InlineData("POST", "/api/alerts/x/ack", "engineer")]
    [InlineData("PUT", "/api/devices/x/labels", "engineer")]
    [InlineData("DELETE", "/api/anything", "engineer")]
    [InlineData("POST", "/api/admin/keys", "admin")]
    [InlineData("GET", "/api/admin/keys", "admin")]
    [InlineData("POST", "/api/session", null)]
    [InlineData("GET", "/api/session", null)]
    [InlineData("GET", "/health", null)]
    [InlineData("GET", "/", null)]
    [InlineData("GET", "/apis", null)]
    [InlineData("GET", "/api", "viewer")]
    public void Access_is_decided_by_method_and_path(string method, string path, string? role) =>
        Assert.Equal(role, AccessPolicy.RequiredRole(method, path));
}
