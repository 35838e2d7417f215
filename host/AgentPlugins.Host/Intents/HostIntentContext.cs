using AgentPlugins.Host.Bus;
using AgentPlugins.Sdk;
using Microsoft.Extensions.Logging;

namespace AgentPlugins.Host.Intents;

/// <summary>The host services one intent handler call sees, bound to its role and the intent's origin.</summary>
internal sealed class HostIntentContext(
    string role,
    EventContext origin,
    RoleSettings settings,
    IntentServices services,
    CancellationToken cancellation) : IntentContext
{
    public override string Role => role;

    public override EventContext Origin => origin;

    public override TimeProvider Clock => services.Clock;

    public override ILogger Log => services.LoggerFor(role);

    public override RoleSettings Settings => settings;

    public override ITimerService Timers => services.Timers;

    public override CancellationToken Cancellation => cancellation;

    public override void Publish(BusEvent busEvent)
    {
        ArgumentNullException.ThrowIfNull(busEvent);
        services.Bus.TryPublish(busEvent, new EventOrigin($"role:{role}", origin.Channel, origin.User, origin.OriginalPrompt));
    }

    public override Task NotifyAsync(string message, Priority priority = Priority.Medium) =>
        services.Channels.NotifyAsync(new NotificationIntent(message, origin.Channel, origin.User, priority), cancellation);
}
