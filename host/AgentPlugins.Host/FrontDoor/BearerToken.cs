using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace AgentPlugins.Host.FrontDoor;

/// <summary>
/// Requires <c>Authorization: Bearer TOKEN</c> on every path but health and Slack's (which Slack
/// signs instead) and the dashboard's page when <c>http:tokenVariable</c> names one. A browser's
/// EventSource cannot send headers, so the event streams also take <c>?access_token=</c>.
/// </summary>
internal sealed class BearerToken
{
    // The dashboard page and the rules it links to are open (no data; the page asks for the token and sends it with every call).
    private static readonly string[] Open = ["/healthz", "/readyz", "/slack/events", "/", "/docs/rules.md"];
    private readonly byte[]? _expected;

    public BearerToken(string? token)
    {
        _expected = string.IsNullOrEmpty(token) ? null : Encoding.UTF8.GetBytes(token);
    }

    /// <summary>True when no token is configured (loopback only, checked at start-up).</summary>
    public bool IsOff => _expected is null;

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (_expected is null || Open.Any(path => context.Request.Path.Equals(path, StringComparison.OrdinalIgnoreCase)))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var presented = Presented(context.Request);
        if (presented is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), _expected))
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            var result = Problems.BadField(
                "Authorization",
                presented is null ? "A bearer token is required: send Authorization: Bearer TOKEN (the value of the variable http:tokenVariable names)." : "The bearer token is wrong.",
                StatusCodes.Status401Unauthorized);
            await result.ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        // Who the caller is, for endpoints that take no user field (MCP): the token's user, never the token.
        // MCP binds its sessions to the name identifier, so another token cannot take a session over.
        var user = UserOf(context.Request)!;
        context.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, user), new Claim(ClaimTypes.NameIdentifier, user)], "Bearer"));
        await next(context).ConfigureAwait(false);
    }

    /// <summary>The user a token-only client (an OpenAI SDK without <c>user</c>) is known as: not the token itself.</summary>
    public static string? UserOf(HttpRequest request) =>
        Presented(request) is { Length: > 0 } token ? "token-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)))[..12] : null;

    private static string? Presented(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return header["Bearer ".Length..].Trim();
        }

        return (request.Path.Equals("/api/events", StringComparison.OrdinalIgnoreCase) || request.Path.Equals("/api/dashboard", StringComparison.OrdinalIgnoreCase))
            && request.Query.TryGetValue("access_token", out var query)
            ? query.ToString()
            : null;
    }
}
