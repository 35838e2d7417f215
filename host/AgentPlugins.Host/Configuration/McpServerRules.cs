
namespace AgentPlugins.Host.Configuration;

/// <summary>What start-up checks of <c>mcp:servers</c>, each problem naming its key.</summary>
internal static class McpServerRules
{
    public static void Check(McpOptions options, Action<bool, string, string> require, Func<string, string?> environment)
    {
        for (var i = 0; i < options.Servers.Count; i++)
        {
            var key = $"mcp:servers:{i}";
            var server = options.Servers[i];
            require(!string.IsNullOrWhiteSpace(server.Name) && server.Name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'), $"{key}:name", $"'{server.Name}' must name the server with letters, digits, '_' or '-' (roles use it in role.McpTools).");
            require(options.Servers.Count(s => s.Name == server.Name) == 1, $"{key}:name", $"'{server.Name}' is used by two servers.");
            require(string.IsNullOrWhiteSpace(server.Command) != string.IsNullOrWhiteSpace(server.Url), $"{key}", "needs either 'command' (a program speaking MCP on stdio) or 'url' (a Streamable HTTP endpoint), not both.");
            require(server.Url is null || (Uri.TryCreate(server.Url, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)), $"{key}:url", $"'{server.Url}' is not an http:// or https:// address.");
            require(string.IsNullOrWhiteSpace(server.TokenVariable) || !string.IsNullOrEmpty(environment(server.TokenVariable)), $"{key}:tokenVariable", $"names the environment variable '{server.TokenVariable}', which is not set.");
            require(server.Timeout > TimeSpan.Zero, $"{key}:timeout", "must be a positive time span, e.g. \"00:00:30\".");
        }
    }
}
