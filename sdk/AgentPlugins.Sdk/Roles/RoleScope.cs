using Microsoft.Extensions.Logging;

namespace AgentPlugins.Sdk;

/// <summary>
/// What one role call runs with, and what its <see cref="RoleContext"/> shows: the role, the call's
/// origin and the host services bound to them. The host builds one per call; a role only reads the context.
/// </summary>
/// <param name="Role">The name of the role whose code runs.</param>
/// <param name="Origin">Where the call came from.</param>
/// <param name="Settings">The role's settings from plugins.json.</param>
/// <param name="Clock">The host clock.</param>
/// <param name="Log">A logger named after the role.</param>
/// <param name="Timers">The host's timer service; the context binds it to <paramref name="Origin"/>.</param>
/// <param name="Http">Creates the role's HTTP client (plugins.json <c>roles:settings:NAME:http</c>) on first use.</param>
/// <param name="Cancellation">Cancelled when the call is abandoned.</param>
public sealed record RoleScope(
    string Role,
    EventContext Origin,
    RoleSettings Settings,
    TimeProvider Clock,
    ILogger Log,
    ITimerService Timers,
    Func<HttpClient> Http,
    CancellationToken Cancellation)
{
    /// <summary>The host's durable store; the context binds it to <see cref="Role"/> and <see cref="Origin"/>. Null in a host without one.</summary>
    public IStoreService? Store { get; init; }
}
