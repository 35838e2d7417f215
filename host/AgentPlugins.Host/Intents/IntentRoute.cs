using AgentPlugins.Host.Loop;
using AgentPlugins.Sdk;

namespace AgentPlugins.Host.Intents;

/// <summary>Where intents of one type go: a host service, or the handler a role registered.</summary>
/// <param name="Owner">The role or host part that carries the intent out, for messages.</param>
/// <param name="HandlerName">The handler's name, for messages and the watchdog.</param>
/// <param name="Handle">Carries out an intent; may complete synchronously.</param>
internal sealed record IntentRoute(string Owner, string HandlerName, Func<Intent, IntentOrigin, Task> Handle)
{
    /// <summary>True when the route runs role code, which the watchdog times.</summary>
    public bool IsRoleCode { get; init; }

    /// <summary>The role generation's handler, when the route runs role code: checked for quarantine before each call, timed and journaled.</summary>
    public RoleCall? Call { get; init; }
}
