using AgentPlugins.Host.Bus;
using AgentPlugins.Host.Loop;
using AgentPlugins.Sdk;

namespace AgentPlugins.Host.Scheduling;

/// <summary>
/// Publishes <see cref="Events.HeartbeatTick"/> and <see cref="Events.FastHeartbeatTick"/> at the
/// configured intervals. Clock timers only post to the loop; the ticks are handled there.
/// </summary>
internal sealed class HeartbeatScheduler(SchedulerOptions options, TimeProvider clock, MessageBus bus) : IAsyncDisposable
{
    private static readonly EventOrigin Origin = new("scheduler");
    private ITimer? _slow;
    private ITimer? _fast;

    public void Start()
    {
        _slow = clock.CreateTimer(_ => bus.TryPublish(new BusEvent(Events.HeartbeatTick), Origin), null, options.Heartbeat, options.Heartbeat);
        _fast = clock.CreateTimer(_ => bus.TryPublish(new BusEvent(Events.FastHeartbeatTick), Origin), null, options.FastHeartbeat, options.FastHeartbeat);
    }

    public async ValueTask DisposeAsync()
    {
        if (_slow is not null)
        {
            await _slow.DisposeAsync().ConfigureAwait(false);
        }

        if (_fast is not null)
        {
            await _fast.DisposeAsync().ConfigureAwait(false);
        }
    }
}
