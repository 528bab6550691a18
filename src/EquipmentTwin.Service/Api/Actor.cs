using Microsoft.AspNetCore.Http;

namespace EquipmentTwin.Service.Api;

/// <summary>Who is acting on an HTTP request: the authenticated identity, never a name taken from a body.</summary>
public static class Actor
{
    /// <summary>
    /// <c>HttpContext.User.Identity.Name</c>, set by the central authentication before any endpoint runs (loopback
    /// demo mode: <c>demo-engineer</c>); null when nothing authenticated the request, and the endpoint then refuses
    /// to record an action by nobody.
    /// </summary>
    public static string? Of(HttpContext context) =>
        context.User.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name } ? name : null;
}
