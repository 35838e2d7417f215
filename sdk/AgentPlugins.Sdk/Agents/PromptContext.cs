using Microsoft.Extensions.Logging;

namespace AgentPlugins.Sdk;

/// <summary>
/// What a role's pre- and post-processor see for one model request: the user's words, where they
/// came from, the role's settings and the host services a hook may use to fetch data. Hooks run on
/// the loop like all role code.
/// </summary>
public abstract class PromptContext
{
    /// <summary>The name of the role the request was routed to.</summary>
    public abstract string Role { get; }

    /// <summary>The instruction the role is asked to carry out (the user's words, or a plan step).</summary>
    public abstract string Request { get; }

    /// <summary>The channel and user the request came from.</summary>
    public abstract EventContext Origin { get; }

    /// <summary>Values the router read from the request (<c>duration</c>, <c>city</c>), empty when none.</summary>
    public abstract IReadOnlyDictionary<string, string> Parameters { get; }

    /// <summary>The role's settings from plugins.json (<c>roles:settings:NAME</c>).</summary>
    public abstract RoleSettings Settings { get; }

    /// <summary>The host clock.</summary>
    public abstract TimeProvider Clock { get; }

    /// <summary>A host-owned HTTP client for fetching data; it outlives role generations, so a role never needs its own.</summary>
    public abstract HttpClient Http { get; }

    /// <summary>A logger named after the role.</summary>
    public abstract ILogger Log { get; }

    /// <summary>Cancelled when the request is abandoned.</summary>
    public abstract CancellationToken Cancellation { get; }
}
