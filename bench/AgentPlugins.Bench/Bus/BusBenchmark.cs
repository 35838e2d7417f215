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
        // Each round measures the bare channel and then every case, so each ratio compares runs made
        // moments apart on this noisy machine; the table reports medians of rates and of ratios.
        (int Subscribers, bool WithIntent)[] cases = [(1, false), (1, true), (10, false), (10, true)];
        var bare = new List<double>();
        var rates = cases.Select(_ => new List<double>()).ToArray();
        var ratios = cases.Select(_ => new List<double>()).ToArray();
        // Round 0 is warm-up (tiered JIT and PGO reach both loops only after a few hundred ms) and is not reported.
        for (var round = -1; round < Rounds; round++)
        {
            var ceilingRate = BareChannel();
            if (round < 0)
            {
                foreach (var (subscribers, withIntent) in cases)
                {
                    await ThroughputAsync(subscribers, withIntent);
                }

                continue;
            }

            bare.Add(ceilingRate);
            for (var c = 0; c < cases.Length; c++)
            {
                var rate = await ThroughputAsync(cases[c].Subscribers, cases[c].WithIntent);
                rates[c].Add(rate);
                ratios[c].Add(rate / ceilingRate);
            }
        }

        var ceiling = Median(bare);
        var rows = cases.Select((c, i) => (
            Case: $"{c.Subscribers} subscriber(s), handler returns {(c.WithIntent ? "one NotificationIntent" : "no intent")}",
            Rate: Median(rates[i]),
            Ratio: Median(ratios[i]))).ToList();

        var latency = new List<(double P50, double P99, double Max)>();
        for (var round = 0; round < Rounds; round++)
        {
            latency.Add(await LatencyAsync());
        }

        var p50 = Median(latency.Select(l => l.P50).ToList());
        var p99 = Median(latency.Select(l => l.P99).ToList());
        var max = latency.Max(l => l.Max);
        var p99s = string.Join(", ", latency.Select(l => l.P99.ToString("F3", CultureInfo.InvariantCulture)));
        var text = new StringBuilder()
            .AppendLine("# Bus throughput and latency (`make bench-bus`)")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Machine: {Machine.Describe()}")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"One publisher thread, {Events:N0} events per round, median of {Rounds} rounds; \"vs bare channel\" is the median of per-round ratios. Handler calls/s = events/s × subscribers.")
            .AppendLine()
            .AppendLine("| case | events/s | handler calls/s | vs bare channel |")
            .AppendLine("|---|---:|---:|---:|")
            .AppendLine(CultureInfo.InvariantCulture, $"| bare `Channel<T>` single-reader loop (ceiling) | {ceiling:N0} | {ceiling:N0} | 100% |");
        foreach (var (name, rate, ratio) in rows)
        {
            var calls = name.StartsWith("10", StringComparison.Ordinal) ? rate * 10 : rate;
            text.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {rate:N0} | {calls:N0} | {ratio:P0} |");
        }

        text.AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Latency publish → handler at a steady {LatencyRate:N0} events/s ({LatencyEvents:N0} events released about every millisecond, 1 subscriber, first second dropped as warm-up), median of {Rounds} rounds: p50 {p50:F3} ms, p99 {p99:F3} ms (rounds: {p99s} ms), max {max:F3} ms.")
            .AppendLine()
            .AppendLine("Goals: ≥ 50% of the bare channel with one subscriber; ≥ 1 M events/s with 10 subscribers; p99 ≤ 1 ms at 50k/s.")
            .AppendLine()
            .AppendLine("What limits it: the bare loop does nothing per item but count it, at a few nanoseconds. Per event the bus reads the host clock,")
            .AppendLine("allocates the handlers' `EventContext`, looks up subscribers by type, times each call for the watchdog and checks quarantine and")
            .AppendLine("reload holds, about 170 ns in all; events travel through the ingress inline, so publishing allocates nothing of its own.")
            .AppendLine("A returned intent adds validation, routing by type and the channel delivery. The bare channel's own rate swings between")
            .AppendLine("about 11 and 40 M/s from run to run (JIT tier, core placement), which moves the ratio more than any change to the bus.")
            .AppendLine("Measured with nothing else running; under a load average of ~14 the rates fell to about a quarter.");
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
        // The publisher releases what is due about once a millisecond and sleeps in between, as an
        // I/O thread would; a publisher spinning on one of the two cores would measure the scheduler.
        await Task.Run(() =>
        {
            var start = Stopwatch.GetTimestamp();
            var next = 0;
            while (next < LatencyEvents)
            {
                var now = Stopwatch.GetTimestamp();
                while (next < LatencyEvents && start + (long)(next * interval) <= now)
                {
                    Volatile.Write(ref published[next], Stopwatch.GetTimestamp());
                    rig.Bus.TryPublish(events[next], origin);
                    next++;
                }

                Thread.Sleep(1);
            }
        });
        await done.Task;

        // The first second is warm-up (tiered JIT); the steady state is what the goal is about.
        var steady = latencies.Skip(LatencyRate).Order().ToArray();
        return (steady[steady.Length / 2], steady[(int)(steady.Length * 0.99)], steady[^1]);
    }

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
            channels.RouteNotifications(intents);
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
