using System.Globalization;
using AgentPlugins.Host.Bus;
using AgentPlugins.Host.Intents;
using AgentPlugins.Host.Loop;
using AgentPlugins.Host.Timers;
using AgentPlugins.Sdk;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentPlugins.Bench.Timers;

/// <summary>
/// The real timer service, loop and bus on the system clock, with a listener on the loop that
/// records how late each <see cref="Events.TimerExpired"/> is handled (handling time − stored due time).
/// </summary>
internal sealed class BenchRig : IAsyncDisposable
{
    private readonly EventLoop _loop;
    private readonly List<double> _lateMs = [];
    private TaskCompletionSource _expected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _awaited = int.MaxValue;

    private BenchRig(EventLoop loop, DurableTimerService timers)
    {
        _loop = loop;
        Timers = timers;
    }

    public DurableTimerService Timers { get; }

    /// <summary>Lateness of each expiry handled so far, in handling order (read after <see cref="WaitForExpiriesAsync"/>).</summary>
    public IReadOnlyList<double> LateMs => _lateMs;

    /// <summary>When the first expiry was handled.</summary>
    public long FirstExpiryTimestamp { get; private set; }

    /// <summary>Builds the loop and bus; the timer service is started by <see cref="StartTimersAsync"/>.</summary>
    public static async Task<BenchRig> CreateAsync(string databasePath)
    {
        var clock = TimeProvider.System;
        var loop = new EventLoop(new LoopOptions(), clock, NullLogger<EventLoop>.Instance);
        var bus = new MessageBus(loop, new IntentProcessor(loop, NullLogger<IntentProcessor>.Instance), clock, NullLogger<MessageBus>.Instance);
        var options = new TimersOptions { TimeZone = "UTC", MaxDuration = TimeSpan.FromDays(365), MaxPerUser = 1000 };
        var rig = new BenchRig(loop, new DurableTimerService(options, databasePath, clock, loop, bus, NullLoggerFactory.Instance));
        loop.Start();
        await loop.InvokeAsync(() => bus.Subscribe(new BusSubscriber("bench"), Events.TimerExpired, "Measure", (e, _) =>
        {
            rig.Record(e);
            return [];
        }));
        return rig;
    }

    public Task StartTimersAsync() => Timers.StartAsync();

    /// <summary>Completes once <paramref name="count"/> expiries have been handled in total.</summary>
    public async Task WaitForExpiriesAsync(int count)
    {
        var handled = await _loop.InvokeAsync(() => Task.FromResult(Expect(count)));
        await handled;
    }

    public Task<ScheduleResult> ScheduleAsync(TimeSpan after, string label, string user) =>
        Timers.ScheduleAsync(new TimerRequest(TimerDue.In(after), label, user, "console"));

    public async ValueTask DisposeAsync()
    {
        Timers.StopFiring();
        await _loop.StopAsync(TimeSpan.FromSeconds(10));
        await Timers.DisposeAsync();
        await _loop.DisposeAsync();
    }

    // On the loop, like Record.
    private Task Expect(int count)
    {
        if (_lateMs.Count >= count)
        {
            return Task.CompletedTask;
        }

        _awaited = count;
        _expected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return _expected.Task;
    }

    // On the loop.
    private void Record(BusEvent expired)
    {
        var now = DateTimeOffset.UtcNow;
        if (_lateMs.Count == 0)
        {
            FirstExpiryTimestamp = System.Diagnostics.Stopwatch.GetTimestamp();
        }

        var due = DateTimeOffset.Parse(expired.Get(TimerData.DueAt)!, CultureInfo.InvariantCulture);
        _lateMs.Add((now - due).TotalMilliseconds);
        if (_lateMs.Count == _awaited)
        {
            _expected.TrySetResult();
        }
    }
}
