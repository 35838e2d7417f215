namespace AgentPlugins.Host.Agents;

/// <summary>
/// How deep the current request is: 0 for what a user or an event started, one more for each
/// <see cref="Sdk.WorkflowIntent"/> a request starts. It flows with the async call (an
/// <see cref="AsyncLocal{T}"/>), so a workflow's depth is its submitter's plus one, and a role that
/// keeps starting workflows is stopped at <c>llm:routing:maxDepth</c>.
/// </summary>
internal static class RequestDepth
{
    private static readonly AsyncLocal<int> Depth = new();

    public static int Current => Depth.Value;

    /// <summary>Sets the depth for the rest of the calling async method and what it awaits.</summary>
    public static void Set(int depth) => Depth.Value = depth;
}
