using System.Diagnostics;
using AgentPlugins.Host.Bus;
using AgentPlugins.Host.Intents;
using AgentPlugins.Host.Loop;
using AgentPlugins.Host.Supervision;
using AgentPlugins.Sdk;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentPlugins.Bench.Supervision;

#pragma warning disable CA5392, SYSLIB1054 // a plain libc call for the bench's measurement only

/// <summary>
/// Bus throughput with the crash journal attached and without, in alternating rounds of one run:
/// one subscriber (each call marks the same record: two stores) and ten subscribers of ten
/// generations (each call copies a new record into the page, the worst case).
/// </summary>
internal static class JournalCost
{
    public const int Events = 2_000_000;

    /// <summary>One run: events/s by the wall clock, and the loop thread's CPU time per event (robust on a busy machine).</summary>
    public readonly record struct Result(double EventsPerSecond, double LoopNanosecondsPerEvent);

    public static async Task<Result> ThroughputAsync(int generations, bool journal)
    {
        var folder = Path.Combine(Path.GetTempPath(), "agentplugins-bench", Guid.NewGuid().ToString("N")[..12]);
        var loop = new EventLoop(new LoopOptions { RoleBudget = 1 }, TimeProvider.System, NullLogger<EventLoop>.Instance);
        var intents = new IntentProcessor(loop, NullLogger<IntentProcessor>.Instance);
        var bus = new MessageBus(loop, intents, TimeProvider.System, NullLogger<MessageBus>.Instance);
        var opened = journal ? CrashJournal.Open(folder, loop.Watchdog.Marks) : null;
        loop.Start();
        try
        {
            var handled = 0L;
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            IEnumerable<Intent> none = [];
            await loop.InvokeAsync(() =>
            {
                for (var g = 0; g < generations; g++)
                {
                    var last = g == generations - 1;
                    var guard = new GenerationGuard($"role{g}", $"/roles/role{g}.cs", $"hash{g}") { Generation = 1 };
                    bus.Subscribe(new BusSubscriber(guard.Role, guard), "TICK", "OnTick", (e, c) =>
                    {
                        if (last && ++handled == Events)
                        {
                            done.TrySetResult();
                        }

                        return none;
                    });
                }
            });

            var thread = await loop.InvokeAsync(() => Task.FromResult(gettid()));
            var cpuBefore = LoopCpu(thread);
            var tick = new BusEvent("TICK");
            var origin = new EventOrigin("bench");
            var watch = Stopwatch.StartNew();
            await Task.Run(async () =>
            {
                for (var i = 0; i < Events; i++)
                {
                    if (!bus.TryPublish(tick, origin))
                    {
                        await bus.PublishAsync(tick, origin);
                    }
                }
            });
            await done.Task;
            var elapsed = watch.Elapsed;
            var cpu = LoopCpu(thread) - cpuBefore;
            return new Result(Events / elapsed.TotalSeconds, cpu / (double)Events);
        }
        finally
        {
            await loop.DisposeAsync();
            opened?.Dispose();
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    // CPU nanoseconds the thread has run (first field of schedstat), so a busy machine's waiting is not counted.
    private static long LoopCpu(int thread) =>
        long.Parse(File.ReadAllText($"/proc/self/task/{thread}/schedstat").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);

    [System.Runtime.InteropServices.DllImport("libc")]
    private static extern int gettid();
}
