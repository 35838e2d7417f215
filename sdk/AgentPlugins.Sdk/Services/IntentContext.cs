using Microsoft.Extensions.Logging;

namespace AgentPlugins.Sdk;

/// <summary>
/// The host services an intent handler may use. They belong to the host and outlive role
/// generations; a role keeps no state of its own between calls.
/// </summary>
public abstract class IntentContext
{
    /// <summary>The name of the role whose handler runs.</summary>
    public abstract string Role { get; }

    /// <summary>Where the intent came from: the request's channel and user, or the event's.</summary>
    public abstract EventContext Origin { get; }

    /// <summary>The host clock.</summary>
    public abstract TimeProvider Clock { get; }

    /// <summary>A logger named after the role.</summary>
    public abstract ILogger Log { get; }

    /// <summary>The role's settings from plugins.json (<c>roles:settings:NAME</c>).</summary>
    public abstract RoleSettings Settings { get; }

    /// <summary>The host's timers; they survive role reloads and host restarts.</summary>
    public abstract ITimerService Timers { get; }

    /// <summary>Cancelled when the role generation that registered the handler is retired.</summary>
    public abstract CancellationToken Cancellation { get; }

    /// <summary>Publishes an event on the bus; it is handled after the current call returns.</summary>
    public abstract void Publish(BusEvent busEvent);

    /// <summary>Sends <paramref name="message"/> to the user and channel this intent came from.</summary>
    public abstract Task NotifyAsync(string message, Priority priority = Priority.Medium);
}
