namespace AgentPlugins.Host.Channels;

/// <summary>
/// Keeps a copy of the notifications delivered on any channel (the webhooks do, for their users, so a
/// timer set on the console reaches its user's webhook too). Called after the channel took the message.
/// </summary>
internal interface INotificationCopy
{
    Task CopyAsync(string channel, OutgoingMessage message, CancellationToken cancellationToken);
}
