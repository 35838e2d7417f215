using AgentPlugins.Host.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.SemanticKernel;
using ModelContextProtocol.Client;

namespace AgentPlugins.Host.McpServers;

/// <summary>
/// The external MCP servers of plugins.json <c>mcp:servers</c>: connected (and their tools listed) at
/// start-up, before any role loads, and closed at shutdown. A role that lists a server's tools gets
/// them as Semantic Kernel functions of its own; a server that did not connect fails that role's
/// load with the reason, and the host goes on.
/// </summary>
internal sealed class McpServerConnections(McpOptions options, ILoggerFactory logs) : IHostedService, IAsyncDisposable
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(30);
    private readonly ILogger _log = logs.CreateLogger<McpServerConnections>();
    private readonly Dictionary<string, Connection> _servers = new(StringComparer.Ordinal);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await Task.WhenAll(options.Servers.Select(async server =>
        {
            var connection = await ConnectAsync(server, cancellationToken).ConfigureAwait(false);
            lock (_servers)
            {
                _servers[server.Name] = connection;
            }
        })).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// The Semantic Kernel function that calls <paramref name="tool"/> on <paramref name="server"/>, for a role's plugin.
    /// </summary>
    /// <exception cref="InvalidOperationException">The server is not configured, did not connect, or has no such tool; the message says which.</exception>
    public KernelFunction Function(string server, string tool)
    {
        Connection? connection;
        lock (_servers)
        {
            _servers.TryGetValue(server, out connection);
        }

        if (connection is null)
        {
            var known = options.Servers.Select(s => s.Name).ToList();
            throw new InvalidOperationException(known.Contains(server, StringComparer.Ordinal)
                ? $"The MCP server '{server}' is not connected yet."
                : $"No MCP server '{server}' in plugins.json mcp:servers{(known.Count == 0 ? " (none is configured)" : $"; servers: {string.Join(", ", known)}")}.");
        }

        if (connection.Client is null)
        {
            throw new InvalidOperationException($"The MCP server '{server}' did not connect: {connection.Error}");
        }

        var found = connection.Tools.FirstOrDefault(t => t.Name == tool)
            ?? throw new InvalidOperationException($"The MCP server '{server}' has no tool '{tool}'; its tools: {string.Join(", ", connection.Tools.Select(t => t.Name).Order(StringComparer.Ordinal))}.");
        return McpToolFunction.Create(server, connection.Client, found, connection.Entry.Timeout);
    }

    public async ValueTask DisposeAsync()
    {
        List<Connection> connections;
        lock (_servers)
        {
            connections = [.. _servers.Values];
            _servers.Clear();
        }

        foreach (var connection in connections.Where(c => c.Client is not null))
        {
            await connection.Client!.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<Connection> ConnectAsync(McpServerEntry server, CancellationToken cancellationToken)
    {
        try
        {
            IClientTransport transport = server.Command is { Length: > 0 } command
                ? new StdioClientTransport(new StdioClientTransportOptions { Name = server.Name, Command = command, Arguments = server.Args }, logs)
                : new HttpClientTransport(
                    new HttpClientTransportOptions
                    {
                        Name = server.Name,
                        Endpoint = new Uri(server.Url!),
                        TransportMode = HttpTransportMode.StreamableHttp,
                        AdditionalHeaders = server.TokenVariable is { Length: > 0 } variable
                            ? new Dictionary<string, string> { ["Authorization"] = "Bearer " + Environment.GetEnvironmentVariable(variable) }
                            : null,
                    },
                    logs);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ConnectTimeout);
            var client = await McpClient.CreateAsync(transport, new McpClientOptions { ClientInfo = new() { Name = "agentplugins", Version = "1.0" } }, logs, timeout.Token).ConfigureAwait(false);
            var tools = await client.ListToolsAsync(cancellationToken: timeout.Token).ConfigureAwait(false);
            _log.LogInformation("MCP server {Server} connected: {Count} tool(s).", server.Name, tools.Count);
            return new Connection(server, client, [.. tools], null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _log.LogWarning("MCP server {Server} did not connect: {Message}", server.Name, ex.Message);
            return new Connection(server, null, [], $"{ex.GetType().Name}: {ex.Message}");
        }
    }

    private sealed record Connection(McpServerEntry Entry, McpClient? Client, IReadOnlyList<McpClientTool> Tools, string? Error);
}
