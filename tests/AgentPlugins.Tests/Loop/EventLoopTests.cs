using AgentPlugins.Host.Loop;
using AgentPlugins.Sdk;
using AgentPlugins.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentPlugins.Tests.Loop;

public sealed class EventLoopTests
{
    private const string CounterRole = """
        using AgentPlugins.Sdk;

        public sealed class CounterRole : IRole
        {
            public int Count;
            public int Overlaps;
            public int OutOfOrder;
            public readonly HashSet<int> Threads = new();
            private readonly Dictionary<string, int> _last = new();
            private int _inside;

            public RoleConfig Config { get; } = new("counter", "1.0.0", "Counts events", WhenToUse: "tests");

            public void Register(RoleBuilder role) => role.On("TICK", OnTick);

            private IEnumerable<Intent> OnTick(BusEvent e, EventContext context)
            {
                if (_inside++ > 0) Overlaps++;
                Count++;
                Threads.Add(Environment.CurrentManagedThreadId);
                var publisher = e.Get("p")!;
                var seq = int.Parse(e.Get("seq")!);
                if (_last.TryGetValue(publisher, out var last) && seq != last + 1) OutOfOrder++;
                _last[publisher] = seq;
                if (seq % 1000 == 0) Thread.SpinWait(200);
                _inside--;
                return [];
            }
        }
        """;

    [Fact]
    public async Task Building_the_runtime_starts_no_thread_and_runs_nothing()
    {
        await using var test = TestRuntime.Create(new Dictionary<string, string> { ["counter.cs"] = CounterRole }, configure: WithoutRoleRules.Options);

        Assert.Null(test.Loop.ThreadId);
        Assert.Equal(0, test.Loop.Completed);
        Assert.Empty(test.Roles.Serving);
    }

    [Fact]
    public async Task Events_from_four_threads_are_all_handled_once_on_one_thread_in_publisher_order_never_overlapping()
    {
        const int PerPublisher = 25_000;
        await using var test = await TestRuntime.Create(new Dictionary<string, string> { ["counter.cs"] = CounterRole }, configure: WithoutRoleRules.Options).StartAsync();
        var bus = test.Bus;
        var origin = new EventOrigin("test");

        var publishers = Enumerable.Range(0, 4).Select(p => Task.Run(async () =>
        {
            for (var seq = 1; seq <= PerPublisher; seq++)
            {
                var data = new Dictionary<string, string> { ["p"] = p.ToString(System.Globalization.CultureInfo.InvariantCulture), ["seq"] = seq.ToString(System.Globalization.CultureInfo.InvariantCulture) };
                await bus.PublishAsync(new BusEvent("TICK", data), origin);
            }
        })).ToArray();
        await Task.WhenAll(publishers);
        var role = await test.Loop.InvokeAsync(() => Task.FromResult(test.Roles.Serving.Single().Role!));

        Assert.Equal(4 * PerPublisher, Field<int>(role, "Count"));
        Assert.Equal(0, Field<int>(role, "Overlaps"));
        Assert.Equal(0, Field<int>(role, "OutOfOrder"));
        Assert.Equal([test.Loop.ThreadId!.Value], Field<HashSet<int>>(role, "Threads"));
    }

    [Fact]
    public async Task Async_continuations_in_an_intent_handler_come_back_to_the_loop()
    {
        const string AwaitingRole = """
            using AgentPlugins.Sdk;

            public sealed record Work(int N) : Intent { public override bool Validate() => N > 0; }

            public sealed class AwaitingRole : IRole
            {
                public readonly List<int> Threads = new();

                public RoleConfig Config { get; } = new("awaiting", "1.0.0", "Awaits", WhenToUse: "tests");

                public void Register(RoleBuilder role)
                {
                    role.On("GO", (e, c) => [new Work(3)]);
                    role.Handle<Work>(Run);
                }

                private async Task Run(Work work, IntentContext context)
                {
                    Threads.Add(Environment.CurrentManagedThreadId);
                    for (var i = 0; i < work.N; i++)
                    {
                        await Task.Delay(5);
                        Threads.Add(Environment.CurrentManagedThreadId);
                        await Task.Yield();
                        Threads.Add(Environment.CurrentManagedThreadId);
                    }

                    await context.NotifyAsync("done");
                }
            }
            """;
        // The role records threads in a field, which AP0207 forbids; the test reads it back, so it runs without the rules.
        await using var test = await TestRuntime.Create(new Dictionary<string, string> { ["awaiting.cs"] = AwaitingRole }, configure: WithoutRoleRules.Options).StartAsync();

        await test.Bus.PublishAsync(new BusEvent("GO"), new EventOrigin("test"));
        await test.Console.WaitForAsync(m => m.Text == "done");
        var role = await test.Loop.InvokeAsync(() => Task.FromResult(test.Roles.Serving.Single().Role!));

        var threads = Field<List<int>>(role, "Threads");
        Assert.Equal(7, threads.Count);
        Assert.All(threads, id => Assert.Equal(test.Loop.ThreadId, id));
    }

    [Fact]
    public async Task Ingress_is_bounded_and_producers_wait_for_room()
    {
        var loop = new EventLoop(new LoopOptions { IngressCapacity = 4 }, TimeProvider.System, NullLogger<EventLoop>.Instance);
        await using var _ = loop;
        var ran = 0;
        var work = new CallbackWork(_ => Interlocked.Increment(ref ran), null);

        for (var i = 0; i < 4; i++)
        {
            Assert.True(loop.TryPost(work));
        }

        Assert.False(loop.TryPost(work));
        var waiting = loop.PostAsync(work).AsTask();
        await Task.Delay(50);
        Assert.False(waiting.IsCompleted);

        loop.Start();
        await waiting.WaitAsync(TimeSpan.FromSeconds(5));
        await loop.InvokeAsync(() => { });
        Assert.Equal(5, Volatile.Read(ref ran));
    }

    [Fact]
    public async Task Work_the_loop_posts_to_itself_is_not_bounded()
    {
        var loop = new EventLoop(new LoopOptions { IngressCapacity = 1 }, TimeProvider.System, NullLogger<EventLoop>.Instance);
        await using var _ = loop;
        loop.Start();
        var ran = 0;

        // From the loop, 1,000 posts into a capacity-1 ingress must neither fail nor deadlock.
        var accepted = await loop.InvokeAsync(() => Task.FromResult(Enumerable.Range(0, 1000).Count(_ => loop.TryPost(new CallbackWork(_ => ran++, null)))));
        await loop.InvokeAsync(() => { });

        Assert.Equal(1000, accepted);
        Assert.Equal(1000, ran);
    }

    [Fact]
    public async Task Stop_drains_queued_work_and_in_flight_operations_then_ends()
    {
        var loop = new EventLoop(new LoopOptions(), TimeProvider.System, NullLogger<EventLoop>.Instance);
        loop.Start();
        var finished = false;
        await loop.InvokeAsync(() => loop.Track(Finish()));

        await loop.StopAsync(TimeSpan.FromSeconds(5));

        Assert.True(loop.Stopped.IsCompleted);
        Assert.True(finished);
        Assert.False(loop.TryPost(new CallbackWork(_ => { }, null)));
        await loop.DisposeAsync();

        async Task Finish()
        {
            await Task.Delay(100);
            finished = true;
        }
    }

    [Fact]
    public async Task An_idle_loop_lets_the_caller_run_a_request_in_its_place_and_gives_the_thread_back_as_it_was()
    {
        var loop = new EventLoop(new LoopOptions(), TimeProvider.System, NullLogger<EventLoop>.Instance);
        await using var _ = loop;
        loop.Start();
        await loop.InvokeAsync(() => { });

        var (caller, inside, onLoop, context, completed, after, contextAfter) = await Task.Run(() =>
        {
            int? ranOn = null;
            var wasOnLoop = false;
            SynchronizationContext? seen = null;
            var posted = loop.RunOrPostAsync(new CallbackWork(
                _ =>
                {
                    ranOn = Environment.CurrentManagedThreadId;
                    wasOnLoop = loop.IsOnLoop;
                    seen = SynchronizationContext.Current;
                },
                null));
            return (Environment.CurrentManagedThreadId, ranOn, wasOnLoop, seen, posted.IsCompletedSuccessfully, loop.IsOnLoop, SynchronizationContext.Current);
        });

        Assert.Equal(caller, inside);
        Assert.True(onLoop);
        Assert.Same(loop.SynchronizationContext, context);
        Assert.True(completed);
        Assert.False(after);
        Assert.Null(contextAfter);
    }

    [Fact]
    public async Task A_busy_loop_queues_the_request_behind_its_work_and_runs_it_on_the_loop_thread()
    {
        var loop = new EventLoop(new LoopOptions(), TimeProvider.System, NullLogger<EventLoop>.Instance);
        await using var _ = loop;
        loop.Start();
        using var release = new ManualResetEventSlim();
        var order = new List<string>();
        var holding = loop.InvokeAsync(() =>
        {
            release.Wait(TimeSpan.FromSeconds(30));
            order.Add("holding");
        });
        await loop.PostAsync(new CallbackWork(_ => order.Add("queued"), null));
        var ran = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);

        await Task.Run(async () => await loop.RunOrPostAsync(new CallbackWork(
            _ =>
            {
                order.Add("request");
                ran.TrySetResult(Environment.CurrentManagedThreadId);
            },
            null)));
        Assert.False(ran.Task.IsCompleted);

        release.Set();
        await holding;
        Assert.Equal(loop.ThreadId, await ran.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(["holding", "queued", "request"], order);
    }

    [Fact]
    public async Task An_await_in_a_request_run_in_the_loops_place_resumes_on_the_loop_thread()
    {
        var loop = new EventLoop(new LoopOptions(), TimeProvider.System, NullLogger<EventLoop>.Instance);
        await using var _ = loop;
        loop.Start();
        await loop.InvokeAsync(() => { });
        var resumed = new TaskCompletionSource<(bool, int)>(TaskCreationOptions.RunContinuationsAsynchronously);

        await Task.Run(() => loop.RunOrPostAsync(new CallbackWork(_ => Resume(), null)).AsTask());

        var (onLoop, thread) = await resumed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(onLoop);
        Assert.Equal(loop.ThreadId, thread);

        async void Resume()
        {
            await Task.Delay(20).ConfigureAwait(true);
            resumed.TrySetResult((loop.IsOnLoop, Environment.CurrentManagedThreadId));
        }
    }

    [Fact]
    public async Task Requests_run_in_place_and_work_posted_from_many_threads_all_run_once_and_never_overlap()
    {
        // Enough to interleave in-place runs and posts many times; more only loads the pool that the other test classes running beside this one need.
        const int PerThread = 5_000;
        var loop = new EventLoop(new LoopOptions(), TimeProvider.System, NullLogger<EventLoop>.Instance);
        await using var _ = loop;
        loop.Start();
        var inside = 0;
        var overlaps = 0;
        var ran = 0;
        var work = new CallbackWork(
            _ =>
            {
                if (Interlocked.Increment(ref inside) > 1)
                {
                    Interlocked.Increment(ref overlaps);
                }

                ran++;

                Interlocked.Decrement(ref inside);
            },
            null);

        await Task.WhenAll(Enumerable.Range(0, 4).Select(t => Task.Run(async () =>
        {
            for (var i = 0; i < PerThread; i++)
            {
                await (t % 2 == 0 ? loop.RunOrPostAsync(work) : loop.PostAsync(work));
            }
        })));
        await loop.InvokeAsync(() => { });

        Assert.Equal(0, overlaps);
        Assert.Equal(4 * PerThread, ran);
    }

    [Fact]
    public async Task A_stopped_loop_refuses_a_request_as_it_refuses_a_post()
    {
        var loop = new EventLoop(new LoopOptions(), TimeProvider.System, NullLogger<EventLoop>.Instance);
        loop.Start();
        await loop.StopAsync(TimeSpan.FromSeconds(5));
        var ran = false;

        await Assert.ThrowsAsync<System.Threading.Channels.ChannelClosedException>(() => loop.RunOrPostAsync(new CallbackWork(_ => ran = true, null)).AsTask());

        Assert.False(ran);
        await loop.DisposeAsync();
    }

    private static T Field<T>(object target, string name) =>
        (T)target.GetType().GetField(name)!.GetValue(target)!;
}
