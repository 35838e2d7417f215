using Microsoft.Extensions.Hosting;

namespace AgentPlugins.Host.FrontDoor.Slack;

/// <summary>
/// Runs the Slack messages the endpoint accepted, each as a request of the Slack user on the
/// <c>slack</c> channel, in the order they came; the inbox keeps each one's thread for its reply. The
/// reply and any notifications it causes reach Slack through the outbox (<see cref="SlackNotifier"/>).
/// Messages accepted but not started when the host stopped run after the next start.
/// </summary>
internal sealed class SlackResponder(SlackInbox inbox, RequestRunner runner) : BackgroundService
{
    public const string ChannelName = "slack";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var message in inbox.PendingAsync(stoppingToken).ConfigureAwait(false))
            {
                runner.Start(ChannelName, message.User, message.Text, run => inbox.Started(message, run.Id));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: what was accepted but not started stays pending in the inbox for the next start.
        }
    }
}
