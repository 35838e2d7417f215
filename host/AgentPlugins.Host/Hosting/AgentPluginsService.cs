using System.Reactive.Linq;
using AgentPlugins.Host.Agents;
using AgentPlugins.Host.Audit;
using AgentPlugins.Host.Channels;
using AgentPlugins.Host.Compilation;
using AgentPlugins.Host.Configuration;
using AgentPlugins.Host.Intents;
using AgentPlugins.Host.Loop;
using AgentPlugins.Host.Plugins;
using AgentPlugins.Host.Roles;
using AgentPlugins.Host.Roles.Unloading;
using AgentPlugins.Host.Roles.Watching;
using AgentPlugins.Host.Scheduling;
using AgentPlugins.Host.Storage;
using AgentPlugins.Host.Store;
using AgentPlugins.Host.Supervision;
using AgentPlugins.Host.Timers;
using AgentPlugins.Host.Workflows;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentPlugins.Host.Hosting;

/// <summary>
/// Starts and stops the runtime in the one order that works. Start: the host's intent routes, the
/// timer store (whose lock makes a second host on the same data folder stop here, having done
/// nothing), the audit log, retention, the loop, the roles folder, the timers (after the roles, so held-over
/// expiries find a listener), watching, status and heartbeats. Stop: the reverse, draining the loop
/// before the stores close.
/// </summary>
internal sealed class AgentPluginsService(
    IOptions<AgentPluginsOptions> options,
    EventLoop loop,
    IntentProcessor intents,
    ChannelRegistry channels,
    AuditLog audit,
    DurableTimerService timers,
    IRoleStore store,
    RoleLifecycle lifecycle,
    RoleReloader reloader,
    CompiledPlugins plugins,
    RoleNotices notices,
    UnloadVerifier unloads,
    CompileCache compileCache,
    WorkflowEngine workflows,
    AgentsSlot agents,
    HeartbeatScheduler heartbeats,
    HostStatusPublisher status,
    RoleSupervisor supervisor,
    LoopHeartbeat heartbeat,
    ReleaseRequests releases,
    RetentionService retention,
    DataFolderUsage dataUsage,
    ILogger<AgentPluginsService> log) : IHostedService, IAsyncDisposable
{
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(10);

    private readonly List<IDisposable> _subscriptions = [];
    private bool _started;
    private bool _routed;

    /// <summary>The diagnostics of role files that did not load at start; the others serve.</summary>
    public IReadOnlyList<RoleDiagnostic> StartupFailures { get; private set; } = [];

    /// <summary>False when the last stop could not drain the loop in time; <c>host run</c> then exits non-zero.</summary>
    public bool Drained { get; private set; } = true;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        _started = true;
        RouteHostIntents();
        Follow();

        // First: the timer store locks the data folder, so a second host on it stops here, having touched nothing.
        timers.Open();
        await audit.OpenAsync(cancellationToken).ConfigureAwait(false);
        await store.OpenAsync(cancellationToken).ConfigureAwait(false);
        if (agents.Agents is { } conversing)
        {
            await conversing.OpenAsync(cancellationToken).ConfigureAwait(false);
        }

        // Before any role code: the crash journal says whether the last run died inside a role call.
        supervisor.Status = heartbeat.Status;
        supervisor.Open();
        StorageMetrics.Track(dataUsage);
        retention.Start();
        loop.Start();
        heartbeat.Start();
        heartbeat.Status("Loading roles.");

        // Before the roles: a start-up that hangs in a role is still a running host to `host roles`.
        status.Start();
        try
        {
            StartupFailures = await reloader.LoadFolderAsync(cancellationToken).ConfigureAwait(false);
            StartupFailures = [.. StartupFailures, .. await plugins.LoadAllAsync(cancellationToken).ConfigureAwait(false)];

            // After the roles: expiries held over from a crash or downtime go out only once someone listens.
            await timers.StartAsync(cancellationToken).ConfigureAwait(false);
            if (agents.Agents is { } dispatcher)
            {
                foreach (var missing in await loop.InvokeAsync(() => Task.FromResult(dispatcher.MissingTiers()), cancellationToken).ConfigureAwait(false))
                {
                    log.LogWarning("{Problem}", missing);
                }

                // Reaching the model servers is checked in the background: a slow one must not hold start-up.
                _ = ReportModelProblemsAsync(dispatcher);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl-C or SIGTERM while roles were loading: a requested stop; StopAsync drains what started.
            log.LogInformation("Stopped while starting.");
            return;
        }

        if (settings.Roles.Watch)
        {
            reloader.Start();

            // Ready means watching has caught up: a save made from now on is never undone by the first rescan.
            try
            {
                await reloader.CaughtUp.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                log.LogWarning("The roles folder watcher has not caught up with the folder after 10 s; going on.");
            }
            plugins.Start();
        }

        releases.Start();
        heartbeats.Start();
        notices.ShowServing = true;
        if (StartupFailures.Count > 0)
        {
            log.LogWarning("{Count} role file(s) did not load; the others run.", StartupFailures.Select(f => f.Path).Distinct().Count());
        }

        var serving = lifecycle.Status.Count(s => s.State == RoleState.Active);
        log.LogInformation("Ready: {Count} role(s) serving from {Folder}.", serving, settings.Roles.Folder);
        heartbeat.Status($"Serving {serving} role(s).");
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (!_started)
        {
            return;
        }

        _started = false;
        log.LogInformation("Stopping: draining the loop.");
        heartbeat.Status("Stopping: draining the loop.");
        reloader.Dispose();
        plugins.Dispose();
        releases.Dispose();
        status.Dispose();
        await retention.DisposeAsync().ConfigureAwait(false);
        StorageMetrics.Untrack(dataUsage);
        await heartbeats.DisposeAsync().ConfigureAwait(false);
        timers.StopFiring();
        Drained = await loop.StopAsync(DrainTimeout).ConfigureAwait(false);
        await heartbeat.DisposeAsync().ConfigureAwait(false);
        await compileCache.FlushAsync().ConfigureAwait(false);

        // After the loop drained: its last delivery reports are written before the store closes.
        await timers.DisposeAsync().ConfigureAwait(false);
        await audit.DisposeAsync().ConfigureAwait(false);
        await store.DisposeAsync().ConfigureAwait(false);
        if (agents.Agents is not null)
        {
            await agents.Agents.DisposeAsync().ConfigureAwait(false);
        }

        // A loop that did not drain keeps its crash-journal mark: the next start knows the culprit.
        supervisor.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        foreach (var subscription in _subscriptions)
        {
            subscription.Dispose();
        }

        _subscriptions.Clear();
    }

    // The host's own intents have fixed routes, each registered by the component that carries it out.
    private void RouteHostIntents()
    {
        if (_routed)
        {
            return;
        }

        _routed = true;
        channels.RouteNotifications(intents);
        audit.RouteAudits(intents);
        workflows.RouteWorkflows();
    }

    // Who follows the lifecycle: the unload verifier (and back, with its verdicts), the timers, the console.
    private void Follow()
    {
        if (_subscriptions.Count > 0)
        {
            return;
        }

        _subscriptions.Add(lifecycle.Changes
            .Where(change => change.State == GenerationState.Withdrawn && change.Generation is not null)
            .Subscribe(change => unloads.Track(change.Generation!)));
        unloads.Verdict += lifecycle.Verified;
        _subscriptions.Add(new Unsubscribe(() => unloads.Verdict -= lifecycle.Verified));
        _subscriptions.Add(lifecycle.Changes.Where(change => change.State == GenerationState.Serving).Subscribe(_ => timers.RoleStartedServing()));
        _subscriptions.Add(notices.Follow(lifecycle.Changes));

        // Quarantine is decided off the loop, on the watchdog's thread (the loop may be the one stuck), by the supervisor.
    }

    private async Task ReportModelProblemsAsync(Agents.AgentDispatcher dispatcher)
    {
        foreach (var problem in await Agents.ModelProbe.CheckAsync(dispatcher.Models.Tiers, TimeSpan.FromSeconds(5), CancellationToken.None).ConfigureAwait(false))
        {
            log.LogWarning("{Problem}", problem);
        }
    }

    private sealed class Unsubscribe(Action action) : IDisposable
    {
        public void Dispose() => action();
    }
}
