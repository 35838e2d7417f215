using AgentPlugins.Host.Loop;
using AgentPlugins.Host.Storage;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.Storage;

/// <summary>A retention pass runs beside the loop, never on it: the loop keeps answering while a pass is in the middle of its work.</summary>
public sealed class RetentionOffLoopTests
{
    [Fact]
    public async Task The_loop_answers_while_a_retention_pass_is_held_in_a_store()
    {
        // The host's own schedule runs the pass (every second here), as it does in a service.
        await using var test = await TestRuntime.Create(configure: options => options with { Retention = options.Retention with { Interval = TimeSpan.FromSeconds(1) } }).StartAsync();
        var retention = test.Get<RetentionService>();
        using var held = new HeldStore(test.Loop);
        var passed = new TaskCompletionSource();
        retention.Passed += passes =>
        {
            if (passes.Any(p => p.Store == "held"))
            {
                passed.TrySetResult();
            }
        };
        retention.Add(held);

        Assert.True(await held.Entered.WaitAsync(TimeSpan.FromSeconds(20)), "the pass never reached the store");

        // The pass is stuck inside a store's prune; the loop must not be.
        await test.Loop.InvokeAsync(() => { }).WaitAsync(TimeSpan.FromSeconds(20));

        held.Release();
        await passed.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.False(held.RanOnLoop);
    }

    /// <summary>A store whose prune waits until the test lets it go, noting the thread it ran on.</summary>
    private sealed class HeldStore(EventLoop loop) : IRetentionTarget, IDisposable
    {
        private readonly SemaphoreSlim _release = new(0);

        public SemaphoreSlim Entered { get; } = new(0);

        public bool RanOnLoop { get; private set; }

        public string Name => "held";

        public RetentionPolicy Defaults { get; } = new() { MaxAge = TimeSpan.FromDays(1) };

        public int PruneOlderThan(DateTimeOffset cutoff, int limit)
        {
            RanOnLoop |= loop.IsOnLoop;
            Entered.Release();
            _release.Wait(TimeSpan.FromSeconds(30));
            return 0;
        }

        public int PruneOldest(int limit)
        {
            RanOnLoop |= loop.IsOnLoop;
            return 0;
        }

        public long DataBytes() => 0;

        public void Compact() => RanOnLoop |= loop.IsOnLoop;

        public void Release() => _release.Release();

        public void Dispose()
        {
            _release.Dispose();
            Entered.Dispose();
        }
    }
}
