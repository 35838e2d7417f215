using AgentPlugins.Host.Agents;
using AgentPlugins.Host.Audit;
using AgentPlugins.Host.Bus;
using AgentPlugins.Host.Channels;
using AgentPlugins.Host.Compilation;
using AgentPlugins.Host.Configuration;
using AgentPlugins.Host.Hosting.Cluster;
using AgentPlugins.Host.Http;
using AgentPlugins.Host.Intents;
using AgentPlugins.Host.Loop;
using AgentPlugins.Host.McpServers;
using AgentPlugins.Host.Plugins;
using AgentPlugins.Host.Roles;
using AgentPlugins.Host.Roles.Unloading;
using AgentPlugins.Host.Roles.Watching;
using AgentPlugins.Host.Scheduling;
using AgentPlugins.Host.Storage;
using AgentPlugins.Host.Storage.Postgres;
using AgentPlugins.Host.Store;
using AgentPlugins.Host.Supervision;
using AgentPlugins.Host.Timers;
using AgentPlugins.Host.Validation;
using AgentPlugins.Host.Workflows;
using AgentPlugins.Sdk;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentPlugins.Host.Hosting;

/// <summary>
/// Composes the host with Microsoft.Extensions.DependencyInjection: each component once, with the
/// lifetime it needs (all singletons: they live as long as the host), and one hosted service
/// (<see cref="AgentPluginsService"/>) that starts and stops them in order.
/// </summary>
internal static class AgentPluginsServices
{
    /// <summary>
    /// Adds the AgentPlugins runtime: loop, bus, intents, roles, timers, audit, agents (when a model
    /// is configured), workflows, status. Channels are added apart (<see cref="IChannel"/>); a
    /// <see cref="TimeProvider"/> already registered (a test's fake clock) is kept.
    /// </summary>
    public static IServiceCollection AddAgentPlugins(this IServiceCollection services, AgentPluginsOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        // The factory's own handlers log every call with its full address (a query may hold a key); the role gate logs instead.
        services.AddLogging(logging => logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning));
        services.AddOptions<AgentPluginsOptions>().ValidateOnStart();
        services.AddSingleton<IValidateOptions<AgentPluginsOptions>, AgentPluginsOptionsValidator>();
        services.AddSingleton<IOptionsFactory<AgentPluginsOptions>>(sp => new LoadedOptions(options, sp.GetServices<IValidateOptions<AgentPluginsOptions>>()));
        services.TryAddSingleton(TimeProvider.System);
        if (options.Storage.IsPostgres)
        {
            services.AddPostgresStorage(options.Storage.ResolveConnectionString(Environment.GetEnvironmentVariable), options.Storage.HostId);
        }

        services.AddSingleton(sp => new EventLoop(Options(sp).Loop, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<EventLoop>>()));
        services.AddSingleton<IntentProcessor>();
        services.AddSingleton<MessageBus>();
        services.AddSingleton(sp => new ChannelRegistry(sp.GetServices<IChannel>(), sp.GetServices<INotificationCopy>()));
        services.AddSingleton(sp => new AuditLog(
            Options(sp).Storage.IsPostgres
                ? new PostgresAuditStore(sp.GetRequiredService<PostgresDatabase>(), sp.GetRequiredService<HostIdentity>())
                : new SqliteAuditStore(Path.Combine(Options(sp).Storage.DataFolder, "audit.db")),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<AuditLog>>()));
        services.AddSingleton(sp => new DurableTimerService(
            Options(sp).Timers,
            TimerStores.Create(Options(sp).Storage.IsPostgres, Options(sp).Storage.DataFolder, Options(sp).Storage.TimerLease, sp),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<EventLoop>(),
            sp.GetRequiredService<MessageBus>(),
            sp.GetRequiredService<IntentProcessor>(),
            sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton<ITimerService>(sp => sp.GetRequiredService<DurableTimerService>());
        services.AddRoleStore(options.Storage);
        services.AddHttpClient();
        services.AddSingleton<RoleHttpRegistry>();
        services.AddSingleton<IConfigureOptions<HttpClientFactoryOptions>, RoleHttpSetup>();
        services.AddSingleton<RoleHttpClients>();
        services.AddSingleton<IntentServices>();

        // Validation (POST /api/validate, MCP dev tools) compiles here; loading roles may compile in a compiler process.
        services.AddSingleton(sp => new RoleCompiler(ReferenceSet.Default, Options(sp).Roles.CheckRules ? RoleRules.Check : null));
        services.AddSingleton<IRoleCompiler>(sp =>
        {
            var roles = Options(sp).Roles;
            if (roles.CompilesInProcess)
            {
                return sp.GetRequiredService<RoleCompiler>();
            }

            var (executable, arguments) = CompilerProcess.ThisHost();
            return new CompilerProcess(
                executable,
                arguments,
                sp.GetRequiredService<RoleCompiler>().Fingerprint,
                roles.CheckRules,
                roles.CompilerIdleTimeout,
                CompilerProcess.DefaultCompileTimeout,
                sp.GetRequiredService<ILogger<CompilerProcess>>());
        });
        services.AddSingleton(sp => new CompileCache(
            sp.GetRequiredService<IRoleCompiler>(),
            Options(sp).Roles.CompileCacheMegabytes > 0 ? Path.Combine(Options(sp).Storage.DataFolder, "compile-cache") : null,
            Options(sp).Roles.CompileCacheMegabytes * 1024L * 1024L,
            sp.GetRequiredService<ILogger<CompileCache>>()));
        services.AddSingleton<LoadActivity>();
        services.AddSingleton(sp => new UnloadVerifier(Options(sp).Roles.Unload, sp.GetRequiredService<LoadActivity>(), sp.GetRequiredService<ILogger<UnloadVerifier>>()));
        services.AddSingleton(sp => new RoleSettingsSource(Options(sp)));
        services.AddSingleton(sp => new McpServerConnections(Options(sp).Mcp, sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton(sp => new RoleInstantiator(sp.GetRequiredService<RoleSettingsSource>().For, sp.GetRequiredService<UnloadVerifier>().Watch, sp.GetRequiredService<McpServerConnections>().Function));
        services.AddSingleton(sp => new RoleLifecycle(
            sp.GetRequiredService<CompileCache>(),
            sp.GetRequiredService<RoleInstantiator>(),
            sp.GetRequiredService<EventLoop>(),
            sp.GetRequiredService<MessageBus>(),
            sp.GetRequiredService<IntentProcessor>(),
            sp.GetRequiredService<IntentServices>(),
            sp.GetRequiredService<LoadActivity>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<RoleLifecycle>>(),
            Options(sp).Roles.Unload.DrainTimeout));
        services.AddSingleton(sp => new RoleReloader(Options(sp).Roles.Folder, Options(sp).Roles.Debounce, Options(sp).Roles.RescanInterval, sp.GetRequiredService<RoleLifecycle>(), sp.GetRequiredService<ILogger<RoleReloader>>(), Options(sp).Roles.ReloadTimings));
        services.AddSingleton<RoleNotices>();
        services.AddSingleton(sp => new CompiledPlugins(
            Options(sp).Plugins,
            Options(sp).Storage.DataFolder,
            sp.GetRequiredService<RoleLifecycle>(),
            sp.GetRequiredService<ILogger<CompiledPlugins>>(),
            rescanInterval: Options(sp).Roles.RescanInterval));

        services.AddSingleton(sp => Options(sp).Llm is not { } llm
            ? new AgentsSlot(null)
            : new AgentsSlot(new AgentDispatcher(
                llm,
                Options(sp).Storage.IsPostgres
                    ? new PostgresConversationTurns(sp.GetRequiredService<PostgresDatabase>(), sp.GetRequiredService<HostIdentity>())
                    : new SqliteConversationTurns(Path.Combine(Options(sp).Storage.DataFolder, "conversations.db")),
                sp.GetRequiredService<RoleLifecycle>(),
                sp.GetRequiredService<IntentProcessor>(),
                sp.GetRequiredService<ChannelRegistry>(),
                sp.GetRequiredService<EventLoop>(),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<IntentServices>(),
                sp.GetRequiredService<ILoggerFactory>())));
        services.AddSingleton(sp => new WorkflowEngine(
            sp.GetRequiredService<RoleLifecycle>(),
            sp.GetRequiredService<IntentProcessor>(),
            sp.GetRequiredService<ChannelRegistry>(),
            sp.GetRequiredService<EventLoop>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IntentServices>(),
            sp.GetRequiredService<ILogger<WorkflowEngine>>(),
            sp.GetRequiredService<AgentsSlot>().Agents));
        services.AddSingleton(sp => new HeartbeatScheduler(Options(sp).Scheduler, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<MessageBus>()));
        services.AddSingleton(sp => new HostStatusPublisher(
            Options(sp).Storage.DataFolder,
            Options(sp).Roles.Folder,
            sp.GetRequiredService<RoleLifecycle>(),
            sp.GetRequiredService<UnloadVerifier>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<HostStatusPublisher>>(),
            sp.GetRequiredService<DataFolderUsage>()));
        services.AddSingleton(sp => new RoleSupervisor(
            Options(sp).Storage.DataFolder,
            Options(sp).Loop,
            sp.GetRequiredService<EventLoop>(),
            sp.GetRequiredService<RoleLifecycle>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<RoleSupervisor>>()));
        services.AddSingleton(sp => new LoopHeartbeat(
            Options(sp).Storage.DataFolder,
            sp.GetService<ISystemdNotifier>(),
            sp.GetRequiredService<EventLoop>(),
            sp.GetRequiredService<TimeProvider>(),
            Environment.GetEnvironmentVariable));
        services.AddSingleton(sp => new ReleaseRequests(
            Options(sp).Storage.DataFolder,
            sp.GetRequiredService<RoleSupervisor>(),
            sp.GetRequiredService<RoleLifecycle>(),
            sp.GetRequiredService<ILogger<ReleaseRequests>>()));
        services.AddSingleton(sp => new DataFolderUsage(Options(sp).Storage.DataFolder));
        services.AddSingleton(sp =>
        {
            var retention = new RetentionService(Options(sp).Retention, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<RetentionService>>());
            retention.Add(Options(sp).Storage.IsPostgres
                ? PostgresAuditStore.Retention(sp.GetRequiredService<PostgresDatabase>())
                : SqliteAuditStore.Retention(sp.GetRequiredService<AuditLog>().Path));

            retention.Add(TimerStores.Retention(Options(sp).Storage.IsPostgres, Options(sp).Storage.DataFolder, sp));
            if (sp.GetRequiredService<IRoleStore>() is RoleStoreService roleStore)
            {
                retention.Add(RoleStoreFile.Retention(roleStore.Path));
            }
            else if (Options(sp).Storage.IsPostgres)
            {
                retention.Add(PostgresRoleStore.Retention(sp.GetRequiredService<PostgresDatabase>()));
            }

            if (sp.GetRequiredService<AgentsSlot>().Agents is { } agents)
            {
                retention.Add(Options(sp).Storage.IsPostgres
                    ? PostgresConversationTurns.Retention(sp.GetRequiredService<PostgresDatabase>())
                    : ConversationStore.Retention(agents.Conversations.Path));
            }

            return retention;
        });
        services.AddSingleton<AgentPluginsService>();

        // External MCP servers connect before the roles that use their tools load.
        services.AddHostedService(sp => sp.GetRequiredService<McpServerConnections>());
        services.AddHostedService(sp => sp.GetRequiredService<AgentPluginsService>());
        if (options.Storage.IsPostgres)
        {
            // After the runtime: a host shows in the cluster once its roles are loaded.
            services.AddClusterStatus();
        }

        return services;
    }

    // Components read the validated options, not the loader's copy.
    private static AgentPluginsOptions Options(IServiceProvider services) => services.GetRequiredService<IOptions<AgentPluginsOptions>>().Value;

    /// <summary>
    /// Reloads the roles whose settings change when <paramref name="configPath"/> (plugins.json) is
    /// edited while the host runs; <paramref name="overrides"/> are the command line's, applied again.
    /// </summary>
    public static IServiceCollection AddRoleSettingsReload(this IServiceCollection services, string configPath, IReadOnlyDictionary<string, string?>? overrides)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton(sp => new RoleSettingsReloader(
            configPath,
            overrides,
            sp.GetRequiredService<RoleSettingsSource>(),
            sp.GetRequiredService<RoleLifecycle>(),
            sp.GetRequiredService<ChannelRegistry>(),
            Options(sp).Roles.Folder,
            sp.GetRequiredService<ILogger<RoleSettingsReloader>>()));
        services.AddHostedService(sp => sp.GetRequiredService<RoleSettingsReloader>());
        return services;
    }
}
