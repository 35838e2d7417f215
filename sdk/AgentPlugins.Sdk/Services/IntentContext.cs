using Microsoft.Extensions.Logging;

namespace AgentPlugins.Sdk;

/// <summary>
/// What an intent handler sees: the <see cref="RoleContext"/> every role call gets, and the two
/// side effects only an intent handler may have, publishing an event and notifying the user.
/// </summary>
public abstract class IntentContext : RoleContext
{
    /// <param name="role">The name of the role whose handler runs.</param>
    /// <param name="origin">Where the intent came from.</param>
    /// <param name="settings">The role's settings.</param>
    /// <param name="clock">The host clock.</param>
    /// <param name="log">A logger named after the role.</param>
    /// <param name="timers">The host's timer service; the handler sees it bound to <paramref name="origin"/>.</param>
    /// <param name="cancellation">Cancelled when the role generation that registered the handler is retired.</param>
    protected IntentContext(
        string role,
        EventContext origin,
        RoleSettings settings,
        TimeProvider clock,
        ILogger log,
        ITimerService timers,
        CancellationToken cancellation)
        : base(role, origin, settings, clock, log, timers, cancellation)
    {
    }

    /// <summary>Publishes an event on the bus; it is handled after the current call returns.</summary>
    public abstract void Publish(BusEvent busEvent);

    /// <summary>Sends <paramref name="message"/> to the user and channel this intent came from.</summary>
    public abstract Task NotifyAsync(string message, Priority priority = Priority.Medium);
}
