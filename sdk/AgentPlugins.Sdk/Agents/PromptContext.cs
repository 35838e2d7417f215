namespace AgentPlugins.Sdk;

/// <summary>
/// What a role's pre- and post-processor see for one model request: the <see cref="RoleContext"/>
/// every role call gets (with its HTTP client for fetching data), the instruction and what the router
/// read from it. Hooks run on the loop like all role code.
/// </summary>
public abstract class PromptContext : RoleContext
{
    /// <param name="scope">The role the request was routed to, its origin and the host services; cancelled when the request is abandoned.</param>
    protected PromptContext(RoleScope scope)
        : base(scope)
    {
    }

    /// <summary>The instruction the role is asked to carry out (the user's words, or a plan step).</summary>
    public abstract string Request { get; }

    /// <summary>Values the router read from the request (<c>duration</c>, <c>city</c>), empty when none.</summary>
    public abstract IReadOnlyDictionary<string, string> Parameters { get; }
}
