namespace AgentPlugins.Host.Configuration;

/// <summary>plugins.json <c>http:mcp</c>: the Model Context Protocol endpoints on the HTTP listener (docs/mcp.md).</summary>
internal sealed record McpEndpointOptions
{
    /// <summary>Serve the serving roles' tools at <c>/mcp</c>.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Serve the development tools at <c>/mcp/dev</c>. They read role code and call tools, so they need <c>http:tokenVariable</c> even on loopback.</summary>
    public bool Dev { get; init; }
}
