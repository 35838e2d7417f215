using System.Collections.Concurrent;
using AgentPlugins.Host.Bus;
using AgentPlugins.Host.Channels;
using AgentPlugins.Host.Http;
using AgentPlugins.Sdk;
using Microsoft.Extensions.Logging;

namespace AgentPlugins.Host.Roles;

/// <summary>The host-owned services behind every <see cref="RoleContext"/> (tools, intent handlers); they outlive role generations.</summary>
internal sealed class IntentServices(TimeProvider clock, ITimerService timers, IStoreService store, ChannelRegistry channels, MessageBus bus, RoleHttpClients http, ILoggerFactory logs)
{
    private readonly ConcurrentDictionary<string, ILogger> _loggers = new(StringComparer.Ordinal);

    public TimeProvider Clock { get; } = clock;

    public ITimerService Timers { get; } = timers;

    public IStoreService Store { get; } = store;

    public ChannelRegistry Channels { get; } = channels;

    public MessageBus Bus { get; } = bus;

    public ILogger LoggerFor(string role) => _loggers.GetOrAdd(role, name => logs.CreateLogger($"role.{name}"));

    /// <summary>What one call of <paramref name="role"/>'s code runs with, for any kind of <see cref="RoleContext"/>.</summary>
    /// <param name="readOnlyHttp">True for a tool: its HTTP client only reads (GET, HEAD).</param>
    public RoleScope Scope(string role, EventContext origin, RoleSettings settings, CancellationToken cancellation, bool readOnlyHttp = false) =>
        new(role, origin, settings, Clock, LoggerFor(role), Timers, () => http.Create(role, settings, readOnlyHttp), cancellation) { Store = Store };

    /// <summary>The context a tool of <paramref name="role"/> gets when it declares a <see cref="ToolContext"/> parameter.</summary>
    public ToolContext ToolContextFor(string role, EventContext origin, RoleSettings settings, CancellationToken cancellation) =>
        new(Scope(role, origin, settings, cancellation, readOnlyHttp: true));
}
