using System.Security.Cryptography;
using System.Text;
using ModelContextProtocol.Client;

namespace AgentPlugins.Tests.Mcp;

/// <summary>The official C# MCP client, connected over Streamable HTTP to a host's endpoint.</summary>
internal static class McpClients
{
    public static Task<McpClient> ConnectAsync(Uri host, string path, string? token = null)
    {
        var options = new HttpClientTransportOptions
        {
            Endpoint = new Uri(host, path),
            TransportMode = HttpTransportMode.StreamableHttp,
            Name = "agentplugins-tests",
        };
        if (token is not null)
        {
            options.AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer " + token };
        }

        return McpClient.CreateAsync(new HttpClientTransport(options), new McpClientOptions { ClientInfo = new() { Name = "agentplugins-tests", Version = "1.0" } });
    }

    /// <summary>The user the host knows a token's caller as (never the token itself), as every endpoint names it.</summary>
    public static string UserOf(string token) => "token-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)))[..12];
}
