using System.Threading.RateLimiting;
using EquipmentTwin.Service.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EquipmentTwin.Service.Security;

/// <summary>Registers identity, roles, the sign-in rate limit and problem details for the HTTP API.</summary>
public static class SecurityServiceCollectionExtensions
{
    public static IServiceCollection AddTwinSecurity(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AuthOptions>().Bind(configuration.GetSection(AuthOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>();
        services.AddSingleton(sp => SecurityMode.From(sp.GetRequiredService<IOptions<AuthOptions>>().Value, sp.GetRequiredService<IOptions<HttpOptions>>().Value));
        services.AddProblemDetails();
        services.AddAuthentication(TwinAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, TwinAuthenticationHandler>(TwinAuthenticationHandler.SchemeName, null)
            .AddCookie(TwinAuthenticationHandler.CookieScheme, o =>
            {
                o.Cookie.Name = "twin-session";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = TimeSpan.FromHours(12);
                o.SlidingExpiration = true;
                // An API answers 401/403 (AccessMiddleware), never a redirect.
                o.Events.OnRedirectToLogin = c => { c.Response.StatusCode = StatusCodes.Status401Unauthorized; return Task.CompletedTask; };
                o.Events.OnRedirectToAccessDenied = c => { c.Response.StatusCode = StatusCodes.Status403Forbidden; return Task.CompletedTask; };
            });
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy(SessionEndpoints.SignInRateLimit, context =>
            {
                var perMinute = context.RequestServices.GetRequiredService<IOptions<AuthOptions>>().Value.SignInPerMinute;
                return RateLimitPartition.GetFixedWindowLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = perMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 });
            });
        });
        return services;
    }

    /// <summary>Problem details for every error without a body, then identity, then the access policy, then the rate limits.</summary>
    public static WebApplication UseTwinSecurity(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseMiddleware<AccessMiddleware>();
        app.UseRouting();
        app.UseRateLimiter();
        return app;
    }
}
