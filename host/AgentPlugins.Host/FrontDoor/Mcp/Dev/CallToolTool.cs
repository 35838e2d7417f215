using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace AgentPlugins.Host.FrontDoor.Mcp.Dev;

/// <summary>
/// <c>call_tool</c>: calls one role's tool on the running host, through the same path as <c>/mcp</c>'s
/// tools and direct commands, as the caller's user. The arguments are named as in the tool's schema.
/// </summary>
internal sealed class CallToolTool(RoleToolCalls calls) : McpServerTool
{
    public override Tool ProtocolTool { get; } = new()
    {
        Name = "call_tool",
        Description = "Calls a role's tool on the running host as a direct command does (/role tool ...), and answers the tool's message; the tool's intents are carried out for you. A failure is a tool error with its cause.",
        InputSchema = JsonSerializer.SerializeToElement(
            new
            {
                type = "object",
                properties = new
                {
                    role = new { type = "string", description = "The role's name, e.g. timer" },
                    tool = new { type = "string", description = "The tool's name, e.g. set_timer" },
                    arguments = new { type = "object", description = "The tool's arguments by parameter name, e.g. {\"duration\": \"5m\", \"label\": \"tea\"}" },
                },
                required = new[] { "role", "tool" },
            },
            McpJsonUtilities.DefaultOptions),
    };

    public override IReadOnlyList<object> Metadata => [];

    public override ValueTask<CallToolResult> InvokeAsync(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var given = request.Params?.Arguments ?? new Dictionary<string, JsonElement>();
        var role = Text(given, "role");
        var tool = Text(given, "tool");
        Dictionary<string, JsonElement>? arguments = null;
        if (given.TryGetValue("arguments", out var value) && value.ValueKind != JsonValueKind.Null)
        {
            if (value.ValueKind != JsonValueKind.Object)
            {
                throw new McpException("arguments: must be an object of the tool's arguments by name, e.g. {\"duration\": \"5m\"}.");
            }

            arguments = value.EnumerateObject().ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);
        }

        return calls.CallAsync(role, tool, arguments, McpCaller.Of(request), cancellationToken);
    }

    private static string Text(IDictionary<string, JsonElement> given, string name) =>
        given.TryGetValue(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : throw new McpException($"{name}: required, a string.");
}
