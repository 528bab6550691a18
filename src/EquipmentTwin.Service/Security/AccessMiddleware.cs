using Microsoft.AspNetCore.Http;

namespace EquipmentTwin.Service.Security;

/// <summary>Applies <see cref="AccessPolicy"/> to every request: 401 without an identity, 403 without the role, as problem details.</summary>
public sealed class AccessMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var required = AccessPolicy.RequiredRole(context.Request.Method, context.Request.Path.Value ?? "/");
        if (required is null)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var user = context.User;
        if (user.Identity?.IsAuthenticated != true)
        {
            await Problems.WriteAsync(context, StatusCodes.Status401Unauthorized, "Sign-in required",
                "Sign in at /signin (POST /api/session) or send an API key as 'Authorization: Bearer KEY'.").ConfigureAwait(false);
            return;
        }

        if (!user.IsInRole(required))
        {
            await Problems.WriteAsync(context, StatusCodes.Status403Forbidden, "Forbidden",
                $"{context.Request.Method} {context.Request.Path} needs the {required} role; {user.Identity.Name} does not have it.").ConfigureAwait(false);
            return;
        }

        await next(context).ConfigureAwait(false);
    }
}
