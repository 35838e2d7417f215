using AgentPlugins.Host.Channels;
using AgentPlugins.Host.Configuration;

namespace AgentPlugins.Host.Notifications.Webhooks;

/// <summary>
/// Puts the notifications that a webhook's users get on channels outside the outbox (the console)
/// into the outbox too, under their own channel, so the webhooks deliver every notification of their
/// users wherever it was sent. Channels that write to the outbox anyway (<paramref name="outboxChannels"/>) need no copy.
/// </summary>
internal sealed class WebhookCopies(IReadOnlyList<WebhookOptions> webhooks, IReadOnlySet<string> outboxChannels, NotificationOutbox outbox) : INotificationCopy
{
    public Task CopyAsync(string channel, OutgoingMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        return message.User is { } user && !outboxChannels.Contains(channel) && webhooks.Any(w => WebhookSender.Covers(w, user))
            ? outbox.AppendAsync(channel, user, "notification", message.Text, message.Priority.ToString().ToLowerInvariant())
            : Task.CompletedTask;
    }
}
