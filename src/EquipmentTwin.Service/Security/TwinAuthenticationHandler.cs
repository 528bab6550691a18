using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EquipmentTwin.Service.Security;

/// <summary>
/// Who is calling: in demo mode everyone is <c>demo-engineer</c>; otherwise an API key
/// (<c>Authorization: Bearer KEY</c> or <c>X-Api-Key: KEY</c>), else the session cookie of a signed-in user.
/// </summary>
public sealed class TwinAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, SecurityMode mode)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "twin";
    public const string CookieScheme = "twin-cookie";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (mode.Demo)
        {
            return Success(Roles.DemoUser, Roles.Engineer, "demo");
        }

        var key = Request.Headers["X-Api-Key"].ToString();
        var authorization = Request.Headers.Authorization.ToString();
        if (key.Length == 0 && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            key = authorization[7..].Trim();
        }

        if (key.Length > 0)
        {
            return mode.Users.FindKey(key) is { } entry
                ? Success(entry.Name, entry.Roles, "api-key")
                : AuthenticateResult.Fail("unknown API key");
        }

        return await Context.AuthenticateAsync(CookieScheme).ConfigureAwait(false);
    }

    private AuthenticateResult Success(string name, string role, string how) => Success(name, [role], how);

    private AuthenticateResult Success(string name, IEnumerable<string> roles, string how)
    {
        var identity = new ClaimsIdentity(how, ClaimTypes.Name, ClaimTypes.Role);
        identity.AddClaim(new Claim(ClaimTypes.Name, name));
        foreach (var role in roles.SelectMany(Roles.Expand).Distinct())
        {
            identity.AddClaim(new Claim(ClaimTypes.Role, role));
        }

        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    /// <summary>A principal for a signed-in user (stored in the session cookie).</summary>
    public static ClaimsPrincipal Principal(string name, IEnumerable<string> roles)
    {
        var identity = new ClaimsIdentity("password", ClaimTypes.Name, ClaimTypes.Role);
        identity.AddClaim(new Claim(ClaimTypes.Name, name));
        foreach (var role in roles.SelectMany(Roles.Expand).Distinct())
        {
            identity.AddClaim(new Claim(ClaimTypes.Role, role));
        }

        return new ClaimsPrincipal(identity);
    }
}
