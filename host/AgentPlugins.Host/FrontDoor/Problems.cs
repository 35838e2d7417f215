using Microsoft.AspNetCore.Http;

namespace AgentPlugins.Host.FrontDoor;

/// <summary>RFC 9457 problem+json answers; a bad input names the field (or header, or parameter) at fault.</summary>
internal static class Problems
{
    public static IResult BadField(string field, string detail, int status = StatusCodes.Status400BadRequest) =>
        TypedResults.Problem(
            detail: detail,
            statusCode: status,
            title: status switch
            {
                StatusCodes.Status413PayloadTooLarge => "Request body too large",
                StatusCodes.Status415UnsupportedMediaType => "Unsupported media type",
                StatusCodes.Status404NotFound => "Not found",
                StatusCodes.Status401Unauthorized => "Unauthorized",
                _ => "Invalid request",
            },
            extensions: new Dictionary<string, object?> { ["field"] = field });

    public static IResult Unavailable(string detail) =>
        TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Service unavailable");

    public static IResult TooManyRequests(HttpContext context, string user, TimeSpan retryAfter)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Problem(
            detail: $"User '{user}' sent requests faster than http:rateLimit allows; retry after {seconds} s.",
            statusCode: StatusCodes.Status429TooManyRequests,
            title: "Too many requests",
            extensions: new Dictionary<string, object?> { ["field"] = "user" });
    }
}
