namespace EquipmentTwin.Service.Security;

/// <summary>
/// Central authorization by HTTP method and path, so a new endpoint needs no code of its own: GET/HEAD under
/// /api needs viewer; any other method under /api needs engineer; key and user administration
/// (/api/admin/…) needs admin. The session endpoints, /health, /metrics, /openapi and the static pages are
/// open (the pages read the API, which is not).
/// </summary>
public static class AccessPolicy
{
    /// <summary>The role a request needs, or null when it is open.</summary>
    public static string? RequiredRole(string method, string path)
    {
        if (path.StartsWith("/api/session", StringComparison.OrdinalIgnoreCase) && (path.Length == 12 || path[12] == '/'))
        {
            return null;
        }

        if (path.StartsWith("/api/admin", StringComparison.OrdinalIgnoreCase) && (path.Length == 10 || path[10] == '/'))
        {
            return Roles.Admin;
        }

        if (path.StartsWith("/api", StringComparison.OrdinalIgnoreCase) && (path.Length == 4 || path[4] == '/'))
        {
            return HttpMethodsAreReads(method) ? Roles.Viewer : Roles.Engineer;
        }

        return null;
    }

    private static bool HttpMethodsAreReads(string method) =>
        string.Equals(method, "GET", StringComparison.OrdinalIgnoreCase) || string.Equals(method, "HEAD", StringComparison.OrdinalIgnoreCase);
}
