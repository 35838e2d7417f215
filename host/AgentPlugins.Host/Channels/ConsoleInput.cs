using AgentPlugins.Host.Hosting;
using AgentPlugins.Host.Workflows;
using AgentPlugins.Sdk;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AgentPlugins.Host.Channels;

/// <summary>
/// Reads requests from standard input, one per line (typed or piped), and runs each on the loop;
/// the reply goes to standard output. When input ends the host keeps running: timers still fire.
/// </summary>
internal sealed class ConsoleInput(Runtime runtime, TextReader input, string user, ILogger<ConsoleInput> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Let the host finish starting (roles loaded) before the first request is read.
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            string? line;
            try
            {
                line = await input.ReadLineAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (line is null)
            {
                log.LogDebug("Standard input ended; the host keeps running.");
                return;
            }

            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var request = new Request(line, ChannelNames.Console, user);
            try
            {
                await runtime.Loop.InvokeAsync(
                    () => runtime.Workflows.HandleAsync(request, reply => runtime.Channels.SendAsync(request.Channel, new OutgoingMessage(reply.Text, user, Priority.Medium, MessageKind.Reply)), stoppingToken),
                    stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (System.Threading.Channels.ChannelClosedException)
            {
                return;
            }
        }
    }
}
