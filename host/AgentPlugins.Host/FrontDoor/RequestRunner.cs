using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
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
/// A request its caller was told to follow (answered 202) stays findable by id for a while after it
/// completes (<c>GET /api/requests/{id}</c>); one answered at once is not kept, so a busy front door
/// holds no completed request in memory.
/// </summary>
internal sealed class RequestRunner(WorkflowEngine workflows, NotificationOutbox outbox, TimeProvider clock, IHostApplicationLifetime lifetime, ILogger<RequestRunner> log)
{
    private const int MaxKept = 10_000;
    private static readonly string ReplyPriority = nameof(Priority.Medium).ToLowerInvariant();
    private static readonly TimeSpan KeepCompleted = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<string, RequestRun> _runs = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<RequestRun> _order = new();

    // Ids: a random start per process, then a bijective step per request, so ids never repeat in a
    // process, differ across restarts, and cost no system call (Guid.NewGuid reads the kernel's random source).
    private readonly ulong _idStart = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
    private long _idCount;

    /// <summary>Starts <paramref name="text"/> for <paramref name="user"/> on <paramref name="channel"/>; returns at once.</summary>
    /// <param name="starting">Called with the run before it is posted to the loop (to note its id where its reply must go).</param>
    /// <param name="role">The role the request is addressed to, if the caller chose one.</param>
    public RequestRun Start(string channel, string user, string text, Action<RequestRun>? starting = null, string? role = null)
    {
        var run = new RequestRun(NextId(), channel, user, text, clock.GetUtcNow(), role);
        HostMetrics.Requests.Add(1, new KeyValuePair<string, object?>("channel", channel));
        starting?.Invoke(run);
        Run(run);
        return run;
    }

    /// <summary>Keeps <paramref name="run"/> findable by id until a while after it completes: its caller was told to follow it.</summary>
    public void Follow(RequestRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        Forget();
        if (_runs.TryAdd(run.Id, run))
        {
            _order.Enqueue(run);
        }
    }

    public RequestRun? Find(string id) => _runs.GetValueOrDefault(id);

    private string NextId() =>
        string.Create(CultureInfo.InvariantCulture, $"r{unchecked(_idStart + ((ulong)Interlocked.Increment(ref _idCount) * 0x9E3779B97F4A7C15)):x16}");

    // Posted, not awaited: the caller waits on the run's reply, and no thread waits for the run's end.
    private void Run(RequestRun run)
    {
        var posted = workflows.PostAsync(new Request(run.Text, run.Channel, run.User) { Role = run.Role }, reply => RespondAsync(run, reply), ex => Failed(run, ex), lifetime.ApplicationStopping);
        if (!posted.IsCompletedSuccessfully)
        {
            _ = WaitPostedAsync(posted, run);
        }
    }

    private async Task WaitPostedAsync(ValueTask posted, RequestRun run)
    {
        try
        {
            await posted.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Failed(run, ex);
        }
    }

    private void Failed(RequestRun run, Exception ex)
    {
        if (ex is OperationCanceledException or ChannelClosedException)
        {
            run.Fail(new InvalidOperationException("The host is stopping; the request did not run.", ex), clock.GetUtcNow());
            return;
        }

        log.LogError(ex, "Request {Id} of {User} failed.", run.Id, run.User);
        run.Fail(ex, clock.GetUtcNow());
    }

    private Task RespondAsync(RequestRun run, Reply reply)
    {
        run.Complete(reply, clock.GetUtcNow());

        // Queued, not awaited: the outbox stores messages in the order they are handed to it, so the
        // reply is still stored before any notification the request's intents cause, and the loop does
        // not wait for a commit (nor pay a hop back) on every request. A failed commit is logged by the outbox.
        if (!outbox.TryAppend(run.Channel, run.User, "reply", reply.Text, ReplyPriority, run.Id))
        {
            log.LogWarning("The reply to request {Id} was answered but not stored in the outbox: the outbox is closed (the host is stopping).", run.Id);
        }

        return Task.CompletedTask;
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
