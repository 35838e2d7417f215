namespace AgentPlugins.Host.Configuration;

/// <summary>plugins.json <c>mcp</c>: external MCP servers whose tools roles may use (docs/mcp.md).</summary>
internal sealed record McpOptions
{
    public List<McpServerEntry> Servers { get; init; } = [];
}

/// <summary>
/// plugins.json <c>mcp:servers:N</c>: one external MCP server, started as a child process speaking
/// stdio (<see cref="Command"/>) or reached over Streamable HTTP (<see cref="Url"/>).
/// </summary>
internal sealed record McpServerEntry
{
    /// <summary>The name roles use in <c>role.McpTools("name", ...)</c>.</summary>
    public string Name { get; init; } = string.Empty;

    /// <summary>The program to start (stdio).</summary>
    public string? Command { get; init; }

    /// <summary>Its arguments.</summary>
    public List<string> Args { get; init; } = [];

    /// <summary>The server's address (Streamable HTTP).</summary>
    public string? Url { get; init; }

    /// <summary>The environment variable holding a bearer token for <see cref="Url"/>, if it needs one.</summary>
    public string? TokenVariable { get; init; }

    /// <summary>How long one tool call may take.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);
}
