using AgentPlugins.Host.Channels;

namespace AgentPlugins.Host.Notifications;

/// <summary>
/// A channel whose users read from the durable outbox (HTTP's event stream and webhooks, Slack):
/// sending is writing to the outbox, so nothing a user should see exists only in memory.
/// </summary>
internal sealed class OutboxChannel(string name, NotificationOutbox outbox) : IChannel
{
    public string Name { get; } = name;

    public Task SendAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (string.IsNullOrEmpty(message.User))
        {
            throw new InvalidOperationException($"A message on the '{Name}' channel must name its user; '{message.Text}' names none.");
        }

        return outbox.AppendAsync(
            Name,
            message.User,
            message.Kind == MessageKind.Reply ? "reply" : "notification",
            message.Text,
            message.Priority.ToString().ToLowerInvariant());
    }
}
