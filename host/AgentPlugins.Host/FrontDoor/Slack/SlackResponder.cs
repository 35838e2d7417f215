using System.Threading.Channels;
using Microsoft.Extensions.Hosting;

namespace AgentPlugins.Host.FrontDoor.Slack;

/// <summary>
/// Runs the Slack messages the endpoint accepted, each as a request of the Slack user on the
/// <c>slack</c> channel, remembering its thread. The reply and any notifications it causes reach
/// Slack through the outbox (<see cref="SlackNotifier"/>), in the order they were written.
/// </summary>
internal sealed class SlackResponder(Channel<SlackMessage> inbox, RequestRunner runner, SlackThreads threads) : BackgroundService
{
    public const string ChannelName = "slack";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var message in inbox.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                runner.Start(ChannelName, message.User, message.Text, run => threads.Remember(run.Id, message.Channel, message.ThreadTs));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: what was accepted but not started is dropped; Slack shows the user no reply.
        }
    }
}
