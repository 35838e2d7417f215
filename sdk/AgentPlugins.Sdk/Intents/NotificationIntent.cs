namespace AgentPlugins.Sdk;

/// <summary>A message for a user, delivered through the named channel.</summary>
public sealed record NotificationIntent(
    string Message,
    string Channel = ChannelNames.Console,
    string? User = null,
    Priority Priority = Priority.Medium) : Intent
{
    public override bool Validate() =>
        !string.IsNullOrWhiteSpace(Message) && !string.IsNullOrWhiteSpace(Channel) && Enum.IsDefined(Priority);
}
