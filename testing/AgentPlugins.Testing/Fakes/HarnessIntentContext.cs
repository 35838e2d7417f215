using AgentPlugins.Sdk;

namespace AgentPlugins.Testing;

// What an intent handler sees in a test: the harness's recorders behind the SDK's IntentContext.
internal sealed class HarnessIntentContext(RoleScope scope, HarnessRecorders recorders) : IntentContext(scope)
{
    public override void Publish(BusEvent busEvent)
    {
        ArgumentNullException.ThrowIfNull(busEvent);
        recorders.Publish(busEvent);
    }

    public override Task NotifyAsync(string message, Priority priority = Priority.Medium)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(message);
        recorders.Notify(new SentNotification(message, priority, Origin.Channel, Origin.User));
        return Task.CompletedTask;
    }
}
