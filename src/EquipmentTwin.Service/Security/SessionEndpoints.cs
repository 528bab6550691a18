using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace EquipmentTwin.Service.Security;

/// <summary>
/// <c>GET /api/session</c> → {user, roles, demo} (null user when signed out; the dashboard shows a demo banner
/// when demo is true); <c>POST /api/session</c> {user, password} signs in (rate-limited per address);
/// <c>DELETE /api/session</c> signs out; <c>GET /signin</c> is a plain sign-in page the dashboard links to.
/// </summary>
public static class SessionEndpoints
{
    public const string SignInRateLimit = "sign-in";

    public sealed record SignInBody(string? User, string? Password);

    public sealed record SessionDto(string? User, IReadOnlyList<string> Roles, bool Demo);

    public static IEndpointRouteBuilder MapSessionApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/session", (HttpContext context, SecurityMode mode) => Results.Ok(Describe(context.User, mode)));
        app.MapPost("/api/session", SignIn).RequireRateLimiting(SignInRateLimit);
        app.MapDelete("/api/session", async (HttpContext context) =>
        {
            await context.SignOutAsync(TwinAuthenticationHandler.CookieScheme);
            return Results.NoContent();
        });
        app.MapGet("/signin", () => Results.Content(SignInPage, "text/html; charset=utf-8"));
        return app;
    }

    private static async Task<IResult> SignIn(HttpContext context, SecurityMode mode)
    {
        if (mode.Demo)
        {
            return Results.Ok(Describe(context.User, mode));
        }

        SignInBody? body;
        try
        {
            body = context.Request.HasFormContentType
                ? new SignInBody(context.Request.Form["user"], context.Request.Form["password"])
                : await context.Request.ReadFromJsonAsync<SignInBody>(context.RequestAborted);
        }
        catch (System.Text.Json.JsonException)
        {
            return Results.Problem(statusCode: 400, title: "Bad sign-in", detail: "send JSON {\"user\": \"…\", \"password\": \"…\"}");
        }

        if (body is not { User: { Length: > 0 and <= 200 } user, Password: { Length: > 0 and <= 1000 } password } || mode.Users.SignIn(user, password) is not { } roles)
        {
            return Results.Problem(statusCode: 401, title: "Sign-in failed", detail: "unknown user or wrong password");
        }

        var principal = TwinAuthenticationHandler.Principal(user, roles);
        await context.SignInAsync(TwinAuthenticationHandler.CookieScheme, principal);
        return Results.Ok(Describe(principal, mode));
    }

    private static SessionDto Describe(ClaimsPrincipal user, SecurityMode mode) =>
        user.Identity?.IsAuthenticated == true
            ? new SessionDto(user.Identity.Name, user.FindAll(ClaimTypes.Role).Select(c => c.Value).Distinct().Order(StringComparer.Ordinal).ToArray(), mode.Demo)
            : new SessionDto(null, [], mode.Demo);

    private const string SignInPage = """
        <!doctype html>
        <html lang="en">
        <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Sign in · EquipmentTwin</title>
        <style>body{font-family:system-ui,sans-serif;max-width:22rem;margin:4rem auto;padding:0 1rem}label{display:block;margin:.8rem 0 .2rem}input{width:100%;padding:.4rem;box-sizing:border-box}button{margin-top:1rem;padding:.5rem 1rem}#msg{margin-top:1rem}</style>
        </head>
        <body>
        <main>
        <h1>Sign in</h1>
        <form id="f">
        <label for="user">User</label><input id="user" name="user" autocomplete="username" required>
        <label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
        <button type="submit">Sign in</button>
        </form>
        <p id="msg" role="status" aria-live="polite"></p>
        </main>
        <script type="module">
        const f = document.getElementById('f'), msg = document.getElementById('msg');
        f.addEventListener('submit', async e => {
          e.preventDefault();
          const r = await fetch('/api/session', {method: 'POST', headers: {'Content-Type': 'application/json'},
            body: JSON.stringify({user: f.user.value, password: f.password.value})});
          if (r.ok) { location.href = new URLSearchParams(location.search).get('return') || '/'; return; }
          const p = await r.json().catch(() => ({}));
          msg.textContent = r.status === 429 ? 'Too many attempts: wait a minute.' : (p.detail || 'Sign-in failed.');
        });
        </script>
        </body>
        </html>
        """;
}
