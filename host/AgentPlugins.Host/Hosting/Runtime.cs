using AgentPlugins.Host.Agents;
using AgentPlugins.Host.Audit;
using AgentPlugins.Host.Bus;
using AgentPlugins.Host.Channels;
using AgentPlugins.Host.Compilation;
using AgentPlugins.Host.Configuration;
using AgentPlugins.Host.Intents;
using AgentPlugins.Host.Loop;
using AgentPlugins.Host.Roles;
using AgentPlugins.Host.Roles.Unloading;
using AgentPlugins.Host.Roles.Watching;
using AgentPlugins.Host.Scheduling;
using AgentPlugins.Host.Timers;
using AgentPlugins.Host.Workflows;
using AgentPlugins.Sdk;
using Microsoft.Extensions.Logging;

namespace AgentPlugins.Host.Hosting;

/// <summary>
/// The composition root: the loop, bus, intent processor, roles, timers, channels and workflow
/// engine, wired together. Building it starts nothing; <see cref="StartAsync"/> starts the loop,
/// loads the roles folder, starts watching it and starts the heartbeats; <see cref="StopAsync"/>
/// drains and stops.
/// </summary>
internal sealed class Runtime : IAsyncDisposable
{
    private readonly AgentPluginsOptions _options;
    private readonly ILogger _log;
    private readonly HeartbeatScheduler _heartbeats;
    private readonly DurableTimerService _timers;
    private readonly ILoggerFactory _logs;
    private RoleReloader? _reloader;
    private HostStatusPublisher? _status;
    private bool _started;

    public Runtime(AgentPluginsOptions options, TimeProvider clock, ILoggerFactory logs, IEnumerable<IChannel> channels)
    {
        _options = options;
        _log = logs.CreateLogger<Runtime>();
        _logs = logs;
        Clock = clock;
        Loop = new EventLoop(options.Loop, clock, logs.CreateLogger<EventLoop>());
        Intents = new IntentProcessor(Loop, logs.CreateLogger<IntentProcessor>());
        Bus = new MessageBus(Loop, Intents, clock, logs.CreateLogger<MessageBus>());
        Channels = new ChannelRegistry(channels);
        Audit = new AuditLog(Path.Combine(options.Storage.DataFolder, "audit.db"), logs.CreateLogger<AuditLog>());
        _timers = new DurableTimerService(options.Timers, Path.Combine(options.Storage.DataFolder, "timers.db"), clock, Loop, Bus, logs);
        var services = new IntentServices(clock, _timers, Channels, Bus, logs);
        Roles = new RoleRegistry(Bus, Intents, services, clock, logs.CreateLogger<RoleRegistry>(), options.Roles.Unload.DrainTimeout);
        var activity = new LoadActivity();
        Unloads = new UnloadVerifier(options.Roles.Unload, activity, logs.CreateLogger<UnloadVerifier>());
        var instantiator = new RoleInstantiator(name => SettingsFor(options, name), Unloads.Watch);
        Compiler = new RoleCompiler(ReferenceSet.Default, options.Roles.CheckRules);
        CompileCache = new CompileCache(
            Compiler,
            options.Roles.CompileCacheMegabytes > 0 ? Path.Combine(options.Storage.DataFolder, "compile-cache") : null,
            options.Roles.CompileCacheMegabytes * 1024L * 1024L,
            logs.CreateLogger<CompileCache>());
        Loader = new RoleLoader(CompileCache, instantiator, Roles, Loop, activity, logs.CreateLogger<RoleLoader>());
        Roles.Withdrawn += Unloads.Track;
        Agents = options.Llm is null
            ? null
            : new AgentDispatcher(options.Llm, options.Storage.DataFolder, Roles, Intents, Channels, Loop, clock, _timers, logs);
        Workflows = new WorkflowEngine(Roles, Intents, Channels, Loop, clock, logs.CreateLogger<WorkflowEngine>(), Agents);
        _heartbeats = new HeartbeatScheduler(options.Scheduler, clock, Bus);
        RouteUniversalIntents();
        Loop.Watchdog.SlowCall += (role, handler, elapsed) => Loop.PostInternal(new CallbackWork(
            _ => Roles.Quarantine(role, $"Handler {handler} held the loop for {elapsed.TotalMilliseconds:F0} ms (limit {options.Loop.SlowCallThreshold.TotalMilliseconds:F0} ms)."),
            null));
    }

    public TimeProvider Clock { get; }

    public EventLoop Loop { get; }

    public MessageBus Bus { get; }

    public IntentProcessor Intents { get; }

    public ChannelRegistry Channels { get; }

    public AuditLog Audit { get; }

    public RoleRegistry Roles { get; }

    public RoleLoader Loader { get; }

    public RoleCompiler Compiler { get; }

    public CompileCache CompileCache { get; }

    /// <summary>Sees retired generations out of memory and says whether they went.</summary>
    public UnloadVerifier Unloads { get; }

    /// <summary>Watches the roles folder once started (unless <c>roles:watch</c> is false).</summary>
    public RoleReloader? Reloader => _reloader;

    /// <summary>Completes when Roslyn has been warmed up after start-up.</summary>
    public Task Warmup { get; private set; } = Task.CompletedTask;

    public WorkflowEngine Workflows { get; }

    /// <summary>Routes and answers requests in plain words; null when plugins.json configures no model.</summary>
    public AgentDispatcher? Agents { get; }

    public DurableTimerService Timers => _timers;

    /// <summary>Starts the loop and the audit log, loads the roles folder, watches it, starts the heartbeats.</summary>
    /// <returns>The diagnostics of role files that failed to load; the others run.</returns>
    public async Task<IReadOnlyList<RoleDiagnostic>> StartAsync(CancellationToken cancellationToken = default)
    {
        _started = true;
        Audit.Open();
        Agents?.Open();

        // Before compiling roles: a second host on the same data folder stops here, having done nothing.
        _timers.Open();
        Loop.Start();
        IReadOnlyList<RoleDiagnostic> failures = [];
        if (Directory.Exists(_options.Roles.Folder))
        {
            failures = await Loader.LoadFolderAsync(_options.Roles.Folder, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            _log.LogWarning("The roles folder {Folder} does not exist; no roles are loaded.", _options.Roles.Folder);
        }

        // After the roles: expiries held over from a crash or downtime go out only once someone listens.
        await _timers.StartAsync(cancellationToken).ConfigureAwait(false);

        if (Agents is not null)
        {
            foreach (var missing in await Loop.InvokeAsync(() => Task.FromResult(Agents.MissingTiers()), cancellationToken).ConfigureAwait(false))
            {
                _log.LogWarning("{Problem}", missing);
            }

            // Reaching the model servers is checked in the background: a slow one must not hold start-up.
            _ = ReportModelProblemsAsync(Agents.Models.Tiers);
        }

        if (_options.Roles.Watch && Directory.Exists(_options.Roles.Folder))
        {
            _reloader = new RoleReloader(_options.Roles.Folder, _options.Roles.Debounce, Loader, Roles, _logs.CreateLogger<RoleReloader>());
            _reloader.Start();
        }

        // Roles that came from the compile cache never woke Roslyn; warm it now, off the loop,
        // so the first edit is as fast as the next ones.
        if (CompileCache.Compiles == 0)
        {
            Warmup = CompilerWarmup.RunAsync(Compiler, _log, cancellationToken);
        }

        _status = new HostStatusPublisher(_options.Storage.DataFolder, _options.Roles.Folder, Roles, Unloads, Clock, _logs.CreateLogger<HostStatusPublisher>());
        _status.Start();
        _heartbeats.Start();
        _log.LogInformation("Ready: {Count} role(s) active from {Folder}.", Roles.Active.Count(), _options.Roles.Folder);
        return failures;
    }

    /// <summary>Stops the heartbeats, drains the loop, closes the audit log.</summary>
    public async Task StopAsync(TimeSpan drainTimeout)
    {
        if (!_started)
        {
            return;
        }

        _started = false;
        _reloader?.Dispose();
        _status?.Dispose();
        await _heartbeats.DisposeAsync().ConfigureAwait(false);
        _timers.StopFiring();
        await Loop.StopAsync(drainTimeout).ConfigureAwait(false);
        await CompileCache.FlushAsync().ConfigureAwait(false);

        // After the loop drained: its last delivery reports are written before the store closes.
        await _timers.DisposeAsync().ConfigureAwait(false);
        await Audit.DisposeAsync().ConfigureAwait(false);
        if (Agents is not null)
        {
            await Agents.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        await Loop.DisposeAsync().ConfigureAwait(false);
        await Unloads.DisposeAsync().ConfigureAwait(false);
    }

    private async Task ReportModelProblemsAsync(ModelTiers tiers)
    {
        foreach (var problem in await ModelProbe.CheckAsync(tiers, TimeSpan.FromSeconds(5), CancellationToken.None).ConfigureAwait(false))
        {
            _log.LogWarning("{Problem}", problem);
        }
    }

    private static RoleSettings SettingsFor(AgentPluginsOptions options, string role) =>
        options.Roles.Settings.TryGetValue(role, out var values) ? new RoleSettings(values) : RoleSettings.Empty;

    private void RouteUniversalIntents()
    {
        // Notifications and follow-ups of a timer expiry delivered again after a crash happen once.
        Intents.Route(typeof(NotificationIntent), _timers.Effects.Guard(
            new IntentRoute("channels", "notify", (intent, _) => Channels.NotifyAsync((NotificationIntent)intent)),
            intent => $"notify:{((NotificationIntent)intent).Channel}:{((NotificationIntent)intent).User}"));
        Intents.Route(typeof(AuditIntent), new IntentRoute("audit", "append", (intent, origin) =>
        {
            var audit = (AuditIntent)intent;
            Audit.Append(new AuditRecord(intent.CreatedAt, origin.Producer, audit.Action, audit.Details, audit.User));
            return Task.CompletedTask;
        }));
        Intents.Route(typeof(ErrorIntent), new IntentRoute("errors", "report", (intent, origin) =>
        {
            var error = (ErrorIntent)intent;
            _log.LogError("Error from {Source}: {Message}", error.Source, error.Message);
            Audit.Append(new AuditRecord(intent.CreatedAt, origin.Producer, "error", $"{error.Source}: {error.Message}", origin.Context.User));
            return Task.CompletedTask;
        }));
        Intents.Route(typeof(WorkflowIntent), _timers.Effects.Guard(
            new IntentRoute("workflows", "run", (intent, origin) => Agents is null
                ? Workflows.RunIntentAsync((WorkflowIntent)intent, origin)
                : Agents.RunWorkflowAsync((WorkflowIntent)intent, origin, Workflows)),
            _ => "workflow"));
    }
}
