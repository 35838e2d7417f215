using System.Collections.Concurrent;
using System.Threading.Channels;
using AgentPlugins.Host.Notifications;
using AgentPlugins.Host.Requests;
using AgentPlugins.Host.Telemetry;
using AgentPlugins.Host.Workflows;
using AgentPlugins.Sdk;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AgentPlugins.Host.FrontDoor;

/// <summary>
/// Runs a request exactly as the console does (on the loop, through the workflow engine) for a user
/// of an HTTP-fed channel. The reply completes the <see cref="RequestRun"/> and is written to the
/// outbox, so the user's event stream shows it before any notification its intents cause.
/// Requests stay findable by id for a while after they complete (<c>GET /api/requests/{id}</c>).
/// </summary>
internal sealed class RequestRunner(WorkflowEngine workflows, NotificationOutbox outbox, TimeProvider clock, IHostApplicationLifetime lifetime, ILogger<RequestRunner> log)
{
    private const int MaxKept = 10_000;
    private static readonly TimeSpan KeepCompleted = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<string, RequestRun> _runs = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<RequestRun> _order = new();

    /// <summary>Starts <paramref name="text"/> for <paramref name="user"/> on <paramref name="channel"/>; returns at once.</summary>
    /// <param name="starting">Called with the run before it is posted to the loop (to note its id where its reply must go).</param>
    /// <param name="role">The role the request is addressed to, if the caller chose one.</param>
    public RequestRun Start(string channel, string user, string text, Action<RequestRun>? starting = null, string? role = null)
    {
        var run = new RequestRun("r" + Guid.NewGuid().ToString("N")[..16], channel, user, text, clock.GetUtcNow(), role);
        HostMetrics.Requests.Add(1, new KeyValuePair<string, object?>("channel", channel));
        Forget();
        _runs[run.Id] = run;
        _order.Enqueue(run);
        starting?.Invoke(run);
        _ = RunAsync(run);
        return run;
    }

    public RequestRun? Find(string id) => _runs.GetValueOrDefault(id);

    private async Task RunAsync(RequestRun run)
    {
        var stopping = lifetime.ApplicationStopping;
        try
        {
            await workflows.SubmitAsync(new Request(run.Text, run.Channel, run.User) { Role = run.Role }, reply => RespondAsync(run, reply), stopping).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException)
        {
            run.Fail(new InvalidOperationException("The host is stopping; the request did not run.", ex), clock.GetUtcNow());
        }
        catch (Exception ex)
        {
            log.LogError(ex, "Request {Id} of {User} failed.", run.Id, run.User);
            run.Fail(ex, clock.GetUtcNow());
        }
    }

    private async Task RespondAsync(RequestRun run, Reply reply)
    {
        // Answer the HTTP caller first; the loop still waits for the outbox, so the reply is stored
        // before any notification the request's intents cause.
        run.Complete(reply, clock.GetUtcNow());
        try
        {
            await outbox.AppendAsync(run.Channel, run.User, "reply", reply.Text, nameof(Priority.Medium).ToLowerInvariant(), run.Id).ConfigureAwait(true);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            log.LogWarning("The reply to request {Id} was answered but not stored in the outbox: {Message}", run.Id, ex.Message);
        }
    }

    private void Forget()
    {
        var now = clock.GetUtcNow();
        while (_order.TryPeek(out var oldest)
            && (_order.Count > MaxKept || (oldest.CompletedAt is { } done && now - done > KeepCompleted)))
        {
            if (_order.TryDequeue(out var gone))
            {
                _runs.TryRemove(gone.Id, out _);
            }
        }
    }
}
