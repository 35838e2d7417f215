using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using AgentPlugins.Host.Bus;
using AgentPlugins.Host.Intents;
using AgentPlugins.Host.Loop;
using AgentPlugins.Host.Roles;
using AgentPlugins.Host.Roles.Unloading;
using AgentPlugins.Sdk;
using Microsoft.Extensions.Hosting;

namespace AgentPlugins.Host.FrontDoor.Dashboard;

/// <summary>
/// What the dashboard shows live, gathered from the host as it happens: every generation change of
/// every role file (the reload timeline and the roles table), role handler errors and slow calls, and
/// once a second the bus rates and unload health. Each connected page has its own bounded queue (a slow
/// page loses its oldest updates, never slows the host); a page that connects gets the recent
/// timeline and errors first.
/// </summary>
internal sealed partial class DashboardFeed(RoleLifecycle lifecycle, UnloadVerifier unloads, MessageBus bus, IntentProcessor intents, EventLoop loop, TimeProvider clock)
    : IHostedService, IDisposable
{
    private const int Kept = 100;
    private readonly Lock _gate = new();
    private readonly LinkedList<Channel<DashboardUpdate>> _pages = new();
    private readonly Queue<TimelineEntry> _timeline = new();
    private readonly Queue<DashboardError> _errors = new();

    // Changes arrive on the loop; reading source lines and building the roles table happen off it.
    private readonly Channel<GenerationChanged> _arrived = Channel.CreateUnbounded<GenerationChanged>(new UnboundedChannelOptions { SingleReader = true });
    private IDisposable? _changes;
    private Task? _describing;
    private ITimer? _tick;
    private long _lastEvents;
    private long _lastIntents;
    private long _lastTick;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _changes = lifecycle.Changes.Subscribe(change => _arrived.Writer.TryWrite(change));
        _describing = Task.Run(DescribeAsync, CancellationToken.None);
        intents.ErrorRaised += OnError;
        loop.Watchdog.SlowCall += OnSlowCall;
        _lastEvents = bus.Published;
        _lastIntents = intents.Stats.Processed;
        _lastTick = Stopwatch.GetTimestamp();
        _tick = clock.CreateTimer(_ => Tick(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        if (_describing is not null)
        {
            await _describing.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        _changes?.Dispose();
        _changes = null;
        _arrived.Writer.TryComplete();
        intents.ErrorRaised -= OnError;
        loop.Watchdog.SlowCall -= OnSlowCall;
        _tick?.Dispose();
        lock (_gate)
        {
            foreach (var page in _pages)
            {
                page.Writer.TryComplete();
            }

            _pages.Clear();
        }
    }

    /// <summary>Connects a page: its queue starts with the recent timeline and errors; dispose the subscription to leave.</summary>
    public DashboardSubscription Connect()
    {
        var queue = Channel.CreateBounded<DashboardUpdate>(new BoundedChannelOptions(512) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        lock (_gate)
        {
            foreach (var entry in _timeline)
            {
                queue.Writer.TryWrite(new DashboardUpdate("timeline", entry));
            }

            foreach (var error in _errors)
            {
                queue.Writer.TryWrite(new DashboardUpdate("failure", error));
            }

            var node = _pages.AddLast(queue);
            return new DashboardSubscription(queue.Reader, () =>
            {
                lock (_gate)
                {
                    if (node.List is not null)
                    {
                        _pages.Remove(node);
                    }
                }
            });
        }
    }

    private async Task DescribeAsync()
    {
        await foreach (var change in _arrived.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            Describe(change);
        }
    }

    private void Describe(GenerationChanged change)
    {
        if (change.State is GenerationState.Loading or GenerationState.Withdrawn)
        {
            return;
        }

        var compile = change.Compile;
        var entry = new TimelineEntry(
            clock.GetUtcNow(),
            change.Path,
            change.Role,
            change.Number,
            change.State == GenerationState.Refused ? "failed" : change.State.ToString().ToLowerInvariant(),
            compile is null || compile.FromCache ? null : Math.Round(Stopwatch.GetElapsedTime(compile.Started, compile.Ended).TotalMilliseconds, 1),
            compile?.FromCache == true,
            [.. change.Diagnostics.Select(DiagnosticLine.Of)]);
        Keep(_timeline, entry);
        Broadcast(new DashboardUpdate("timeline", entry));
        Broadcast(new DashboardUpdate("roles", StatusEndpoints.Roles(lifecycle, unloads)));
    }

    private void OnError(ErrorIntent error)
    {
        var (file, line) = WhereIn(error.Details);
        Report(new DashboardError(clock.GetUtcNow(), "error", error.Source, error.Message, file, line));
    }

    private void OnSlowCall(string role, string handler, TimeSpan elapsed) =>
        Report(new DashboardError(clock.GetUtcNow(), "slow", $"{role}/{handler}", $"held the loop for {elapsed.TotalMilliseconds:F0} ms", null, null));

    private void Report(DashboardError error)
    {
        Keep(_errors, error);
        Broadcast(new DashboardUpdate("failure", error));
    }

    private void Tick()
    {
        var now = Stopwatch.GetTimestamp();
        var seconds = Math.Max(Stopwatch.GetElapsedTime(_lastTick, now).TotalSeconds, 0.001);
        var events = bus.Published;
        var processed = intents.Stats.Processed;
        var stats = new DashboardStats(
            clock.GetUtcNow(),
            Math.Round((events - _lastEvents) / seconds, 1),
            Math.Round((processed - _lastIntents) / seconds, 1),
            bus.HandlerFailures,
            unloads.Unloaded,
            unloads.Leaked,
            unloads.Pending);
        (_lastEvents, _lastIntents, _lastTick) = (events, processed, now);
        Broadcast(new DashboardUpdate("stats", stats));
    }

    private void Keep<T>(Queue<T> kept, T item)
    {
        lock (_gate)
        {
            kept.Enqueue(item);
            while (kept.Count > Kept)
            {
                kept.Dequeue();
            }
        }
    }

    private void Broadcast(DashboardUpdate update)
    {
        lock (_gate)
        {
            foreach (var page in _pages)
            {
                page.Writer.TryWrite(update);
            }
        }
    }

    // The first frame of a stack trace that is in a role file (not the host's or the framework's code).
    private static (string? File, int? Line) WhereIn(string? details)
    {
        foreach (Match frame in StackFrame().Matches(details ?? string.Empty))
        {
            var file = frame.Groups["file"].Value;
            if (!file.Contains("/AgentPlugins.Host/", StringComparison.Ordinal) && !file.Contains("/AgentPlugins.Sdk/", StringComparison.Ordinal))
            {
                return (file, int.Parse(frame.Groups["line"].Value, CultureInfo.InvariantCulture));
            }
        }

        return (null, null);
    }

    [GeneratedRegex(@" in (?<file>[^\r\n]+?\.cs):line (?<line>\d+)")]
    private static partial Regex StackFrame();
}

/// <summary>One update for the pages: the SSE event name and its data.</summary>
internal sealed record DashboardUpdate(string Event, object Data);

/// <summary>A connected page's updates; disposing it disconnects the page.</summary>
internal sealed class DashboardSubscription(ChannelReader<DashboardUpdate> updates, Action leave) : IDisposable
{
    public ChannelReader<DashboardUpdate> Updates { get; } = updates;

    public void Dispose() => leave();
}
