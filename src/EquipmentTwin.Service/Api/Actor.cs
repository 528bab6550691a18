using System.Net;
using Microsoft.AspNetCore.Http;

namespace EquipmentTwin.Service.Api;

/// <summary>Who is acting on an HTTP request: the authenticated identity, never a name taken from a body.</summary>
public static class Actor
{
    /// <summary>The identity of loopback demo mode (every request from this machine, with no credentials configured).</summary>
    public const string DemoEngineer = "demo-engineer";

    /// <summary>
    /// <c>HttpContext.User.Identity.Name</c>. Authentication is central (it sets the identity before any
    /// endpoint runs); where nothing authenticated a request that came over loopback, the request is demo mode's
    /// engineer, and null otherwise (the endpoint refuses to record an action by nobody).
    /// </summary>
    public static string? Of(HttpContext context)
    {
        if (context.User.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name })
        {
            return name;
        }

        return context.Connection.RemoteIpAddress is { } ip && IPAddress.IsLoopback(ip) ? DemoEngineer : null;
    }
}
