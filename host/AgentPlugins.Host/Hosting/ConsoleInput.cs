using System.Globalization;
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
/// Requests run side by side: a slow tool (awaiting a slow service) does not hold up the next line.
/// A reply that comes after the reply to a later request names the request it answers. A line over
/// <see cref="MaxLineChars"/> is refused with its length, read through without being kept, and
/// reading goes on.
/// </remarks>
internal sealed class ConsoleInput(WorkflowEngine workflows, ChannelRegistry channels, TextReader input, string user, ILogger<ConsoleInput> log) : IHostedService, IDisposable
{
    /// <summary>The longest request line taken; a request is a command or a sentence, not a document.</summary>
    public const int MaxLineChars = 64 * 1024;

    /// <summary>Requests of the console running at once; the next line waits for one to end.</summary>
    public const int MaxInFlight = 64;

    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _slots = new(MaxInFlight, MaxInFlight);
    private readonly Lock _gate = new();
    private long _submitted;
    private long _latestAnswered;

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

    public void Dispose()
    {
        _stopping.Dispose();
        _slots.Dispose();
    }

    private async Task ReadAsync(CancellationToken stopping)
    {
        var reader = new ConsoleLineReader(input, MaxLineChars);
        while (!stopping.IsCancellationRequested)
        {
            ConsoleLine? line;
            try
            {
                line = await reader.ReadAsync(stopping).ConfigureAwait(false);
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

            if (line.TooLong)
            {
                log.LogWarning("Refused a console line of {Length} characters (at most {Max}).", line.Length, MaxLineChars);
                await SendAsync(string.Create(CultureInfo.InvariantCulture, $"Refused: that line has {line.Length:N0} characters; a request is at most {MaxLineChars:N0}. It was not run.")).ConfigureAwait(false);
                continue;
            }

            if (string.IsNullOrWhiteSpace(line.Text) || stopping.IsCancellationRequested)
            {
                continue;
            }

            try
            {
                await _slots.WaitAsync(stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var number = Interlocked.Increment(ref _submitted);
            _ = RunAsync(new Request(line.Text, ChannelNames.Console, user), number, stopping);
        }
    }

    private async Task RunAsync(Request request, long number, CancellationToken stopping)
    {
        try
        {
            await workflows.SubmitAsync(request, reply => ReplyAsync(reply, request, number), stopping).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or System.Threading.Channels.ChannelClosedException)
        {
            // Stopping: the request is dropped with the host, as a line typed after Ctrl-C would be.
        }
        catch (Exception ex)
        {
            log.LogError(ex, "Console request failed: {Request}", request.Text);
            await SendAsync($"Request failed: {ex.Message}").ConfigureAwait(false);
        }
        finally
        {
            _slots.Release();
        }
    }

    private Task ReplyAsync(Reply reply, Request request, long number)
    {
        bool outOfOrder;
        lock (_gate)
        {
            outOfOrder = number < _latestAnswered;
            _latestAnswered = Math.Max(_latestAnswered, number);
        }

        // Answered after a later request was: say which request this answers.
        return SendAsync(outOfOrder ? $"[re: {Quote(request.Text)}] {reply.Text}" : reply.Text);
    }

    private static string Quote(string text)
    {
        var trimmed = text.Trim();
        return trimmed.Length <= 60 ? trimmed : string.Concat(trimmed.AsSpan(0, 57), "...");
    }

    private Task SendAsync(string text) =>
        channels.SendAsync(ChannelNames.Console, new OutgoingMessage(text, user, Priority.Medium, MessageKind.Reply));
}
