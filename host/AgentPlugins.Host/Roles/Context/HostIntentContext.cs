using AgentPlugins.Host.Loop;
using AgentPlugins.Sdk;

namespace AgentPlugins.Host.Roles;

/// <summary>The host services one intent handler call sees, bound to its role and the intent's origin.</summary>
internal sealed class HostIntentContext(
    string role,
    EventContext origin,
    RoleSettings settings,
    IntentServices services,
    CancellationToken cancellation)
    : IntentContext(services.Scope(role, origin, settings, cancellation))
{
    public override void Publish(BusEvent busEvent)
    {
        ArgumentNullException.ThrowIfNull(busEvent);
        services.Bus.TryPublish(busEvent, new EventOrigin($"role:{Role}", Origin.Channel, Origin.User, Origin.OriginalPrompt));
    }

    public override Task NotifyAsync(string message, Priority priority = Priority.Medium) =>
        services.Channels.NotifyAsync(new NotificationIntent(message, Origin.Channel, Origin.User, priority), Cancellation);
}
