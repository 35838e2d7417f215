using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace AgentPlugins.Host.FrontDoor.Mcp;

/// <summary>
/// The user an MCP call runs as: the bearer token's user (<c>token-…</c>, as on the other endpoints)
/// when the host requires a token, otherwise <c>mcp-</c> and the client's declared name.
/// </summary>
internal static class McpCaller
{
    public static string Of(RequestContext<CallToolRequestParams> request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.User?.Identity?.Name is { Length: > 0 } user)
        {
            return user;
        }

        var client = request.Server.ClientInfo?.Name;
        var name = new string([.. (client ?? string.Empty).Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? char.ToLowerInvariant(c) : '-')]).Trim('-');
        return name.Length == 0 ? "mcp" : ("mcp-" + name)[..Math.Min(64, name.Length + 4)];
    }
}
