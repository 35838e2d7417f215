using System.Collections.Concurrent;
using AgentPlugins.Host.Bus;
using AgentPlugins.Host.Intents;
using AgentPlugins.Host.Loop;
using AgentPlugins.Host.Scheduling;
using AgentPlugins.Sdk;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace AgentPlugins.Tests.Timers;

/// <summary>Heartbeats tick at the configured intervals of the injected clock, on the loop.</summary>
public sealed class HeartbeatSchedulerTests
{
    [Fact]
    public async Task Heartbeats_tick_at_the_configured_intervals_on_the_loop()
    {
        var clock = new FakeTimeProvider(TimerRig.Start);
        await using var loop = new EventLoop(new LoopOptions(), clock, NullLogger<EventLoop>.Instance);
        var bus = new MessageBus(loop, new IntentProcessor(loop, NullLogger<IntentProcessor>.Instance), clock, NullLogger<MessageBus>.Instance);
        var ticks = new ConcurrentQueue<(string Type, bool OnLoop)>();
        loop.Start();
        await loop.InvokeAsync(() =>
        {
            var listener = new BusSubscriber("test");
            foreach (var type in new[] { Events.HeartbeatTick, Events.FastHeartbeatTick })
            {
                bus.Subscribe(listener, type, "Count", (e, _) =>
                {
                    ticks.Enqueue((e.Type, loop.IsOnLoop));
                    return [];
                });
            }
        });
        await using var scheduler = new HeartbeatScheduler(new SchedulerOptions { Heartbeat = TimeSpan.FromSeconds(20), FastHeartbeat = TimeSpan.FromSeconds(4) }, clock, bus);
        scheduler.Start();

        clock.Advance(TimeSpan.FromSeconds(39));
        await loop.InvokeAsync(() => { });
        Assert.Equal(1, ticks.Count(t => t.Type == Events.HeartbeatTick));
        Assert.Equal(9, ticks.Count(t => t.Type == Events.FastHeartbeatTick));

        clock.Advance(TimeSpan.FromSeconds(1));
        await loop.InvokeAsync(() => { });
        Assert.Equal(2, ticks.Count(t => t.Type == Events.HeartbeatTick));
        Assert.Equal(10, ticks.Count(t => t.Type == Events.FastHeartbeatTick));
        Assert.All(ticks, t => Assert.True(t.OnLoop));
    }
}
