using AgentPlugins.Host.Channels;
using AgentPlugins.Host.Requests;
using AgentPlugins.Host.Workflows;
using AgentPlugins.Sdk;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AgentPlugins.Host.Hosting;

/// <summary>
/// Reads requests from standard input, one per line (typed or piped), and runs each on the loop;
/// the reply goes to standard output. When input ends the host keeps running: timers still fire.
/// </summary>
/// <remarks>
/// A console read blocks and ignores cancellation, so the reader runs on a task of its own that
/// shutdown does not wait for: a pending read must never hold up Ctrl-C or SIGTERM.
/// </remarks>
internal sealed class ConsoleInput(WorkflowEngine workflows, ChannelRegistry channels, TextReader input, string user, ILogger<ConsoleInput> log) : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = Task.Run(() => ReadAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping.Cancel();
        return Task.CompletedTask;
    }

    public void Dispose() => _stopping.Dispose();

    private async Task ReadAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            var line = await input.ReadLineAsync(stopping).ConfigureAwait(false);
            if (line is null)
            {
                log.LogDebug("Standard input ended; the host keeps running.");
                return;
            }

            if (string.IsNullOrWhiteSpace(line) || stopping.IsCancellationRequested)
            {
                continue;
            }

            var request = new Request(line, ChannelNames.Console, user);
            try
            {
                await workflows.SubmitAsync(request, Reply, stopping).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or System.Threading.Channels.ChannelClosedException)
            {
                return;
            }
        }
    }

    private Task Reply(Reply reply) =>
        channels.SendAsync(ChannelNames.Console, new OutgoingMessage(reply.Text, user, Priority.Medium, MessageKind.Reply));
}
