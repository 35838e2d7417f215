namespace AgentPlugins.Sdk;

/// <summary>
/// What an intent handler sees: the <see cref="RoleContext"/> every role call gets, and the two
/// side effects only an intent handler may have, publishing an event and notifying the user.
/// </summary>
public abstract class IntentContext : RoleContext
{
    /// <param name="scope">The role, the intent's origin and the host services; cancelled when the role generation that registered the handler is retired.</param>
    protected IntentContext(RoleScope scope)
        : base(scope)
    {
    }

    /// <summary>Publishes an event on the bus; it is handled after the current call returns.</summary>
    public abstract void Publish(BusEvent busEvent);

    /// <summary>Sends <paramref name="message"/> to the user and channel this intent came from.</summary>
    public abstract Task NotifyAsync(string message, Priority priority = Priority.Medium);
}
