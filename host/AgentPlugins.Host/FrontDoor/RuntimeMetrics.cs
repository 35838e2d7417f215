using System.Diagnostics.Metrics;
using AgentPlugins.Host.Bus;
using AgentPlugins.Host.Intents;
using AgentPlugins.Host.Loop;
using AgentPlugins.Host.Notifications;
using AgentPlugins.Host.Roles;
using AgentPlugins.Host.Roles.Unloading;
using AgentPlugins.Host.Telemetry;

namespace AgentPlugins.Host.FrontDoor;

/// <summary>
/// Counters and gauges read from the runtime's own thread-safe state when metrics are collected
/// (on scrape): events and intents handled, generations by state, unloaded and leaked, the outbox.
/// One meter per runtime, disposed with it, so nothing outlives a host.
/// </summary>
internal sealed class RuntimeMetrics : IDisposable
{
    private static readonly RoleState[] States = Enum.GetValues<RoleState>();
    private readonly Meter _meter;

    public RuntimeMetrics(EventLoop loop, MessageBus bus, IntentProcessor intents, RoleLifecycle roles, UnloadVerifier unloads, NotificationOutbox outbox, IMeterFactory meters)
    {
        _meter = meters.Create(HostMetrics.MeterName);
        _meter.CreateObservableCounter("agentplugins.bus.events.published", () => bus.Published, "{event}", "Events published on the bus.");
        _meter.CreateObservableCounter("agentplugins.bus.events.delivered", () => bus.Delivered, "{delivery}", "Event deliveries to role handlers.");
        _meter.CreateObservableCounter("agentplugins.bus.handler.failures", () => bus.HandlerFailures, "{failure}", "Event handlers that threw.");
        _meter.CreateObservableCounter("agentplugins.loop.work.completed", () => loop.Completed, "{item}", "Work items the loop ran.");
        _meter.CreateObservableCounter("agentplugins.intents.processed", () => intents.Stats.Processed, "{intent}", "Intents carried out.");
        _meter.CreateObservableCounter("agentplugins.intents.failed", () => intents.Stats.Failed, "{intent}", "Intents refused or whose handler failed.");
        _meter.CreateObservableGauge("agentplugins.role.generations", () => Generations(roles), "{generation}", "Role files by state.");
        _meter.CreateObservableCounter("agentplugins.generations.unloaded", () => unloads.Unloaded, "{generation}", "Retired generations verified gone from memory.");
        _meter.CreateObservableCounter("agentplugins.generations.leaked", () => unloads.Leaked, "{generation}", "Retired generations still in memory after every verification pass.");
        _meter.CreateObservableCounter("agentplugins.outbox.written", () => outbox.LastId, "{message}", "The id of the last message written to the outbox.");
    }

    public void Dispose() => _meter.Dispose();

    private static IEnumerable<Measurement<int>> Generations(RoleLifecycle roles)
    {
        var status = roles.Status;
        foreach (var state in States)
        {
            yield return new Measurement<int>(status.Count(s => s.State == state), new KeyValuePair<string, object?>("state", state.ToString().ToLowerInvariant()));
        }
    }
}
