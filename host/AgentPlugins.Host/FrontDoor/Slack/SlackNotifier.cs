using AgentPlugins.Host.Notifications;
using Microsoft.Extensions.Logging;

namespace AgentPlugins.Host.FrontDoor.Slack;

/// <summary>
/// Posts what the outbox holds for Slack users, in order, resuming after outages and restarts
/// (<see cref="OutboxFollower"/>): a reply in the thread its request was asked in, a notification (a
/// timer going off) as a direct message from the app.
/// </summary>
internal sealed class SlackNotifier(NotificationOutbox outbox, SlackApi api, SlackInbox inbox, TimeProvider clock, ILogger<SlackNotifier> log)
    : OutboxFollower(outbox, SlackResponder.ChannelName, "slack:notifications", clock)
{
    // Errors no retry can fix: log and go on with the next notification.
    private static readonly string[] Permanent = ["channel_not_found", "user_not_found", "not_in_channel", "is_archived", "msg_too_long", "no_text", "invalid_blocks"];

    protected override bool Wants(StoredNotification message) => true;

    protected override async Task<bool> DeliverAsync(StoredNotification message, CancellationToken cancellationToken)
    {
        try
        {
            var (channel, thread) = message.Kind == "reply" && inbox.TryGetThread(message.RequestId, out var asked) ? asked : (message.User, null);
            var error = await api.PostMessageAsync(channel, message.Text, thread, cancellationToken).ConfigureAwait(false);
            if (error is null)
            {
                return true;
            }

            var permanent = Permanent.Contains(error, StringComparer.Ordinal);
            log.LogError("Slack refused notification {Id} for {User}: {Error}; {Action}.", message.Id, message.User, error, permanent ? "skipped" : "retrying later");
            return permanent;
        }
        catch (Exception ex) when (ex is HttpRequestException or Polly.Timeout.TimeoutRejectedException or Polly.CircuitBreaker.BrokenCircuitException
            || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            log.LogWarning("Slack is unreachable for notification {Id} ({Message}); retrying later.", message.Id, ex.Message);
            return false;
        }
    }
}
