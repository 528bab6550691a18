using Microsoft.AspNetCore.Http;

namespace EquipmentTwin.Service.Api;

/// <summary>RFC 7807 problem details for the alert, maintenance and export endpoints (with <c>error</c> as well, as the older endpoints answer).</summary>
public static class Problems
{
    public static IResult BadRequest(string detail) => Make(StatusCodes.Status400BadRequest, "Bad request", detail);

    public static IResult NotFound(string detail) => Make(StatusCodes.Status404NotFound, "Not found", detail);

    public static IResult Conflict(string detail) => Make(StatusCodes.Status409Conflict, "Conflict", detail);

    public static IResult Unauthorized(string detail) => Make(StatusCodes.Status401Unauthorized, "Unauthorized", detail);

    private static IResult Make(int status, string title, string detail) =>
        Results.Problem(detail: detail, statusCode: status, title: title, extensions: new Dictionary<string, object?> { ["error"] = detail });
}
