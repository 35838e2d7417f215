using ModelContextProtocol.Server;

namespace AgentPlugins.Host.FrontDoor.Mcp.Dev;

/// <summary>The tool collection every <c>/mcp/dev</c> session shares.</summary>
internal sealed record DevToolCollection(McpServerPrimitiveCollection<McpServerTool> Tools);
