using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace AgentPlugins.Host.FrontDoor.Mcp;

/// <summary>
/// One serving role's tool as an MCP tool. It holds names and a JSON schema only, never the role's
/// function, so a retired generation is not kept in memory by a connected client; each call looks the
/// tool up in the generation serving at that moment.
/// </summary>
internal sealed class RoleTool(string role, string tool, Tool definition, RoleToolCalls calls) : McpServerTool
{
    public string Role { get; } = role;

    public string Tool { get; } = tool;

    public override Tool ProtocolTool { get; } = definition;

    public override IReadOnlyList<object> Metadata => [];

    public override ValueTask<CallToolResult> InvokeAsync(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return calls.CallAsync(Role, Tool, request.Params?.Arguments, McpCaller.Of(request), cancellationToken);
    }
}
