using System.Collections.Concurrent;
using AgentPlugins.Host.Bus;
using AgentPlugins.Host.Intents;
using AgentPlugins.Host.Loop;
using AgentPlugins.Host.Timers;
using AgentPlugins.Sdk;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace AgentPlugins.Tests.Timers;

/// <summary>
/// The real timer service on a real SQLite file, with the real loop and bus, on a fake clock. A
/// listener records every <see cref="Events.TimerExpired"/> the bus delivers.
/// </summary>
internal sealed class TimerRig : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

    private readonly EventLoop _loop;
    private bool _disposed;

    private TimerRig(FakeTimeProvider clock, string databasePath, EventLoop loop, DurableTimerService timers)
    {
        Clock = clock;
        DatabasePath = databasePath;
        _loop = loop;
        Timers = timers;
    }

    public FakeTimeProvider Clock { get; }

    public string DatabasePath { get; }

    public DurableTimerService Timers { get; }

    /// <summary>Every expiry delivered, in delivery order.</summary>
    public ConcurrentQueue<BusEvent> Expired { get; } = new();

    public IEnumerable<string> ExpiredLabels => Expired.Select(e => e.Get(TimerData.Label)!);

    public static async Task<TimerRig> StartAsync(FakeTimeProvider clock, string databasePath, TimersOptions? options = null)
    {
        var loop = new EventLoop(new LoopOptions(), clock, NullLogger<EventLoop>.Instance);
        var intents = new IntentProcessor(loop, NullLogger<IntentProcessor>.Instance);
        var bus = new MessageBus(loop, intents, clock, NullLogger<MessageBus>.Instance);
        var timers = new DurableTimerService(options ?? new TimersOptions { TimeZone = "UTC" }, databasePath, clock, loop, bus, NullLoggerFactory.Instance);
        var rig = new TimerRig(clock, databasePath, loop, timers);
        loop.Start();
        await loop.InvokeAsync(() => bus.Subscribe(new BusSubscriber("test"), Events.TimerExpired, "Record", (e, _) =>
        {
            rig.Expired.Enqueue(e);
            return [];
        }));
        await timers.StartAsync();
        await rig.SettleAsync();
        return rig;
    }

    /// <summary>Sets a timer for ann on the console; fails the test if it is refused.</summary>
    public async Task<TimerInfo> SetAsync(string when, string label, string? user = "ann", string channel = "console")
    {
        Assert.True(TimerDue.TryParse(when, out var due, out var error), error);
        var result = await Timers.ScheduleAsync(new TimerRequest(due, label, user, channel));
        Assert.True(result.Scheduled, result.Refusal);
        return result.Timer;
    }

    /// <summary>Moves the fake clock, then waits until everything it set off has run.</summary>
    public async Task AdvanceAsync(TimeSpan by)
    {
        Clock.Advance(by);
        await SettleAsync();
    }

    /// <summary>
    /// Waits, without sleeping, until the worker has carried out what was posted, the loop has
    /// dispatched the expiries it posted, and the worker has recorded those deliveries.
    /// </summary>
    public async Task SettleAsync()
    {
        await Timers.FlushAsync();
        await _loop.InvokeAsync(() => { });
        await Timers.FlushAsync();
    }

    /// <summary>How many timers the file holds in <paramref name="state"/>, read through a second connection.</summary>
    public long CountInFile(string state) => CountInFile(DatabasePath, state);

    public static long CountInFile(string path, string state)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, Mode = SqliteOpenMode.ReadOnly }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM timers WHERE state = $state";
        command.Parameters.AddWithValue("$state", state);
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>A clean stop: the loop drains, the worker records what it delivered, the file is closed.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Timers.StopFiring();
        await _loop.StopAsync(TimeSpan.FromSeconds(5));
        await Timers.DisposeAsync();
        await _loop.DisposeAsync();
    }
}
