using System.Text.Json;
using System.Threading.Channels;
using AgentPlugins.Host.Workflows;
using ModelContextProtocol.Protocol;

namespace AgentPlugins.Host.FrontDoor.Mcp;

/// <summary>
/// Runs an MCP client's call of a role's tool through the workflow engine, on the loop, exactly as a
/// direct command runs (the tool's message back, its intents carried out for the caller), under the
/// same per-user rate limit as the other endpoints. A failed call is an MCP tool error with its cause.
/// </summary>
internal sealed class RoleToolCalls(WorkflowEngine workflows, UserRateLimiter limiter)
{
    public async ValueTask<CallToolResult> CallAsync(string role, string tool, IDictionary<string, JsonElement>? arguments, string user, CancellationToken cancellationToken)
    {
        if (!limiter.TryAcquire(user, out var retryAfter))
        {
            return Result(false, $"Too many requests from '{user}': try again in {Math.Ceiling(retryAfter.TotalSeconds):0} s (http:rateLimit).");
        }

        var named = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, value) in arguments ?? new Dictionary<string, JsonElement>())
        {
            named[name] = Argument(value);
        }

        try
        {
            var reply = await workflows.CallAsync(role, tool, named, RequestEndpoints.Channel, user, static _ => Task.CompletedTask, cancellationToken).ConfigureAwait(false);
            return Result(reply.Success, reply.Text);
        }
        catch (Exception ex) when (ex is ChannelClosedException or ObjectDisposedException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return Result(false, "The host is stopping; the tool did not run.");
        }
    }

    public static CallToolResult Result(bool success, string text) =>
        new() { Content = [new TextContentBlock { Text = text }], IsError = !success };

    // Scalars go as text and Semantic Kernel converts them to the parameter's type, as it does a direct
    // command's words; objects and arrays go as JSON for it to deserialize.
    private static object? Argument(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        JsonValueKind.Object or JsonValueKind.Array => value.Clone(),
        _ => value.GetRawText(),
    };
}
