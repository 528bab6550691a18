using System.Collections.Concurrent;
using System.Reflection;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace EquipmentTwin.Service.Web;

/// <summary>
/// Serves the workbench: static pages, styles and ES modules embedded in this assembly (Web/wwwroot, with the
/// chart library the build installed from npm). Pages read the public API like any integration.
/// </summary>
public static class WorkbenchPages
{
    private static readonly Assembly Self = typeof(WorkbenchPages).Assembly;
    private static readonly ConcurrentDictionary<string, (byte[] Bytes, string ETag)?> Cache = new(StringComparer.Ordinal);

    public static IEndpointRouteBuilder MapWorkbench(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", (HttpContext http) => Serve(http, "fleet.html"));
        app.MapGet("/devices/{id}", (HttpContext http) => Serve(http, "device.html"));
        app.MapGet("/alerts", (HttpContext http) => Serve(http, "alerts.html"));
        app.MapGet("/alerts/{id}", (HttpContext http) => Serve(http, "alert.html"));
        app.MapGet("/assets/{**path}", (string path, HttpContext http) => Serve(http, path));
        return app;
    }

    /// <summary>Names of every embedded asset (for the size figure in the docs and for tests).</summary>
    public static IReadOnlyList<(string Name, long Bytes)> Assets() =>
        Self.GetManifestResourceNames().Where(n => n.StartsWith("wwwroot/", StringComparison.Ordinal))
            .Select(n => (n["wwwroot/".Length..], Self.GetManifestResourceStream(n)!.Length)).OrderBy(x => x.Item1, StringComparer.Ordinal).ToArray();

    private static IResult Serve(HttpContext http, string path)
    {
        if (path.Contains("..", StringComparison.Ordinal) || Load(path) is not { } asset)
        {
            return Results.NotFound();
        }

        http.Response.Headers.ETag = asset.ETag;
        // Pages are always revalidated (cheap with the ETag); a new build changes the tag.
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Content-Type-Options"] = "nosniff";
        if (path.EndsWith(".html", StringComparison.Ordinal))
        {
            http.Response.Headers["Content-Security-Policy"] = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'";
        }

        if (http.Request.Headers.IfNoneMatch == asset.ETag)
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        return Results.Bytes(asset.Bytes, ContentType(path));
    }

    private static (byte[] Bytes, string ETag)? Load(string path) => Cache.GetOrAdd(path, p =>
    {
        using var stream = Self.GetManifestResourceStream("wwwroot/" + p);
        if (stream is null)
        {
            return null;
        }

        using var ms = new MemoryStream();
        stream.CopyTo(ms);
        var bytes = ms.ToArray();
        return (bytes, "\"" + Convert.ToHexString(SHA256.HashData(bytes))[..16] + "\"");
    });

    private static string ContentType(string path) => Path.GetExtension(path) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        ".json" => "application/json",
        _ => "text/plain; charset=utf-8",
    };
}
