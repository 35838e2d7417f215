using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Threading.Channels;
using AgentPlugins.Host.Bus;
using AgentPlugins.Host.Channels;
using AgentPlugins.Host.Intents;
using AgentPlugins.Host.Loop;
using AgentPlugins.Sdk;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentPlugins.Bench.Bus;

/// <summary>
/// Events per second through the real loop and bus (1 and 10 subscribers, handlers returning no
/// intent or one notification to a no-op channel), publish→handler latency at a steady 50,000/s,
/// and a bare single-reader <see cref="Channel{T}"/> as the ceiling, all in one run.
/// </summary>
internal sealed class BusBenchmark : IBenchmark
{
    private const int Events = 2_000_000;
    private const int Rounds = 5;
    private const int LatencyRate = 50_000;
    private const int LatencyEvents = 150_000;

    public string Name => "bus";

    public async Task<string> RunAsync(CancellationToken cancellationToken)
    {
        var ceiling = Median(Rounds, BareChannel);
        var rows = new List<(string Case, double Rate)>();
        foreach (var subscribers in new[] { 1, 10 })
        {
            foreach (var withIntent in new[] { false, true })
            {
                var rates = new List<double>();
                for (var round = 0; round < Rounds; round++)
                {
                    rates.Add(await ThroughputAsync(subscribers, withIntent));
                }

                rows.Add(($"{subscribers} subscriber(s), handler returns {(withIntent ? "one NotificationIntent" : "no intent")}", Median(rates)));
            }
        }

        var (p50, p99, max) = await LatencyAsync();
        var text = new StringBuilder()
            .AppendLine("# Bus throughput and latency (`make bench-bus`)")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Machine: {Machine.Describe()}")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"One publisher thread, {Events:N0} events per round, median of {Rounds} rounds. Handler calls/s = events/s × subscribers.")
            .AppendLine()
            .AppendLine("| case | events/s | handler calls/s | vs bare channel |")
            .AppendLine("|---|---:|---:|---:|")
            .AppendLine(CultureInfo.InvariantCulture, $"| bare `Channel<T>` single-reader loop (ceiling) | {ceiling:N0} | {ceiling:N0} | 100% |");
        foreach (var (name, rate) in rows)
        {
            var calls = name.StartsWith("10", StringComparison.Ordinal) ? rate * 10 : rate;
            text.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {rate:N0} | {calls:N0} | {rate / ceiling:P0} |");
        }

        text.AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Latency publish → handler at a steady {LatencyRate:N0} events/s ({LatencyEvents:N0} events, 1 subscriber): p50 {p50:F3} ms, p99 {p99:F3} ms, max {max:F3} ms.")
            .AppendLine()
            .AppendLine("Goals: ≥ 50% of the bare channel with one subscriber; ≥ 1 M events/s with 10 subscribers; p99 ≤ 1 ms at 50k/s.")
            .AppendLine()
            .AppendLine("What limits it: per event the bus allocates a work item on the publisher and an `EventContext` on the loop, reads the host clock,")
            .AppendLine("looks up subscribers by type, times each call for the watchdog and checks quarantine and reload holds; the bare channel does none of that.")
            .AppendLine("With one publisher thread and one loop thread on two cores, the publisher side (allocation + bounded-channel lock) is about as busy as the loop,")
            .AppendLine("so the ratio moves a few points between runs. A returned intent costs more than the handler call: validation, routing by type,")
            .AppendLine("and the channel delivery. Measured with nothing else running; the same run under a load average of ~14 gave a quarter of these rates.");
        return text.ToString();
    }

    private static double BareChannel()
    {
        var channel = Channel.CreateBounded<object>(new BoundedChannelOptions(65_536) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        var item = new object();
        long seen = 0;
        var reader = Task.Run(async () =>
        {
            while (await channel.Reader.WaitToReadAsync())
            {
                while (channel.Reader.TryRead(out _))
                {
                    seen++;
                }
            }
        });
        var watch = Stopwatch.StartNew();
        var writer = Task.Run(async () =>
        {
            for (var i = 0; i < Events; i++)
            {
                if (!channel.Writer.TryWrite(item))
                {
                    await channel.Writer.WriteAsync(item);
                }
            }

            channel.Writer.Complete();
        });
        Task.WaitAll(writer, reader);
        return seen / watch.Elapsed.TotalSeconds;
    }

    private static async Task<double> ThroughputAsync(int subscribers, bool withIntent)
    {
        await using var rig = Rig.Create();
        var handled = 0L;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var notification = new NotificationIntent("tick", NullChannel.ChannelName);
        IEnumerable<Intent> none = [];
        IEnumerable<Intent> one = [notification];
        await rig.Loop.InvokeAsync(() =>
        {
            var owner = new BusSubscriber("bench");
            for (var s = 0; s < subscribers; s++)
            {
                var last = s == subscribers - 1;
                rig.Bus.Subscribe(owner, "TICK", $"handler{s}", (e, c) =>
                {
                    if (last && ++handled == Events)
                    {
                        done.TrySetResult();
                    }

                    return withIntent ? one : none;
                });
            }
        });

        var tick = new BusEvent("TICK");
        var origin = new EventOrigin("bench");
        var watch = Stopwatch.StartNew();
        await Task.Run(async () =>
        {
            for (var i = 0; i < Events; i++)
            {
                if (!rig.Bus.TryPublish(tick, origin))
                {
                    await rig.Bus.PublishAsync(tick, origin);
                }
            }
        });
        await done.Task;
        return Events / watch.Elapsed.TotalSeconds;
    }

    private static async Task<(double P50, double P99, double Max)> LatencyAsync()
    {
        await using var rig = Rig.Create();
        var published = new long[LatencyEvents];
        var latencies = new double[LatencyEvents];
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var count = 0;
        await rig.Loop.InvokeAsync(() => rig.Bus.Subscribe(new BusSubscriber("bench"), "TICK", "measure", (e, c) =>
        {
            var index = int.Parse(e.Data["i"], CultureInfo.InvariantCulture);
            latencies[index] = Stopwatch.GetElapsedTime(Volatile.Read(ref published[index])).TotalMilliseconds;
            if (++count == LatencyEvents)
            {
                done.TrySetResult();
            }

            return [];
        }));

        var events = Enumerable.Range(0, LatencyEvents)
            .Select(i => new BusEvent("TICK", new Dictionary<string, string> { ["i"] = i.ToString(CultureInfo.InvariantCulture) }))
            .ToArray();
        var origin = new EventOrigin("bench");
        var interval = Stopwatch.Frequency / (double)LatencyRate;
        await Task.Run(() =>
        {
            var start = Stopwatch.GetTimestamp();
            for (var i = 0; i < LatencyEvents; i++)
            {
                var due = start + (long)(i * interval);
                while (Stopwatch.GetTimestamp() < due)
                {
                    Thread.SpinWait(20);
                }

                Volatile.Write(ref published[i], Stopwatch.GetTimestamp());
                rig.Bus.TryPublish(events[i], origin);
            }
        });
        await done.Task;

        // The first second is warm-up (tiered JIT); the steady state is what the goal is about.
        var steady = latencies.Skip(LatencyRate).Order().ToArray();
        return (steady[steady.Length / 2], steady[(int)(steady.Length * 0.99)], steady[^1]);
    }

    private static double Median(int rounds, Func<double> measure) => Median(Enumerable.Range(0, rounds).Select(_ => measure()).ToList());

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }

    private sealed class Rig : IAsyncDisposable
    {
        private Rig(EventLoop loop, MessageBus bus)
        {
            Loop = loop;
            Bus = bus;
        }

        public EventLoop Loop { get; }

        public MessageBus Bus { get; }

        public static Rig Create()
        {
            var loop = new EventLoop(new LoopOptions(), TimeProvider.System, NullLogger<EventLoop>.Instance);
            var intents = new IntentProcessor(loop, NullLogger<IntentProcessor>.Instance);
            var channels = new ChannelRegistry([new NullChannel()]);
            intents.Route(typeof(NotificationIntent), new IntentRoute("channels", "notify", (intent, _) => channels.NotifyAsync((NotificationIntent)intent)));
            var bus = new MessageBus(loop, intents, TimeProvider.System, NullLogger<MessageBus>.Instance);
            loop.Start();
            return new Rig(loop, bus);
        }

        public ValueTask DisposeAsync() => Loop.DisposeAsync();
    }

    /// <summary>A channel that delivers nowhere, so the bench measures the bus and not a console.</summary>
    private sealed class NullChannel : IChannel
    {
        public const string ChannelName = "null";

        public string Name => ChannelName;

        public Task SendAsync(OutgoingMessage message, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
