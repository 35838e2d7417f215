using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using AgentPlugins.Host.Bus;
using AgentPlugins.Host.Intents;
using AgentPlugins.Host.Loop;
using AgentPlugins.Host.Timers;
using AgentPlugins.Sdk;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace AgentPlugins.Tests.Support;

/// <summary>
/// The real timer service on a real SQLite file, with the real loop and bus, on a fake clock (tests)
/// or the system clock (the timers bench). A listener on the loop records every
/// <see cref="Events.TimerExpired"/> the bus delivers, and how late it was handled.
/// </summary>
internal sealed class TimerRig : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

    private readonly EventLoop _loop;
    private readonly List<double> _lateMs = [];
    private TaskCompletionSource _expected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _awaited = int.MaxValue;
    private bool _disposed;

    private TimerRig(TimeProvider clock, string databasePath, EventLoop loop, IntentProcessor intents, MessageBus bus, DurableTimerService timers)
    {
        Clock = clock;
        DatabasePath = databasePath;
        _loop = loop;
        Intents = intents;
        Bus = bus;
        Timers = timers;
    }

    public IntentProcessor Intents { get; }

    public MessageBus Bus { get; }

    public TimeProvider Clock { get; }

    public string DatabasePath { get; }

    /// <summary>The provider the rig runs on, when started with one; counts go through it.</summary>
    public TimerBackend? Backend { get; private set; }

    public DurableTimerService Timers { get; }

    /// <summary>Every expiry delivered, in delivery order.</summary>
    public ConcurrentQueue<BusEvent> Expired { get; } = new();

    public IEnumerable<string> ExpiredLabels => Expired.Select(e => e.Get(TimerData.Label)!);

    /// <summary>Lateness of each expiry handled so far, in ms, in handling order (read after <see cref="WaitForExpiriesAsync"/>).</summary>
    public IReadOnlyList<double> LateMs => _lateMs;

    /// <summary>When the first expiry was handled (a <see cref="Stopwatch"/> timestamp).</summary>
    public long FirstExpiryTimestamp { get; private set; }

    /// <summary>Builds on <paramref name="backend"/> (SQLite or PostgreSQL), starts the timers and waits until start-up has settled.</summary>
    public static async Task<TimerRig> StartAsync(FakeTimeProvider clock, TimerBackend backend, TimersOptions? options = null, string hostId = "rig-host")
    {
        ArgumentNullException.ThrowIfNull(backend);
        var rig = await StartAsync(clock, backend.Name, options, backend.CreateStore(clock, hostId));
        rig.Backend = backend;
        return rig;
    }

    /// <summary>Builds, starts the timers and waits until start-up has settled.</summary>
    /// <param name="store">The store to use (a size-limited one, say); a <see cref="TimerStore"/> on <paramref name="databasePath"/> when null.</param>
    /// <param name="logs">Where the timer service logs; nowhere when null.</param>
    /// <param name="configure">Runs on the loop before the timer service starts (routes, more listeners).</param>
    public static async Task<TimerRig> StartAsync(
        FakeTimeProvider clock,
        string databasePath,
        TimersOptions? options = null,
        ITimerStore? store = null,
        Microsoft.Extensions.Logging.ILoggerFactory? logs = null,
        Action<TimerRig>? configure = null)
    {
        var rig = await CreateAsync(clock, databasePath, options, store, logs);
        if (configure is not null)
        {
            await rig._loop.InvokeAsync(() => configure(rig));
        }

        await rig.Timers.StartAsync();
        await rig.SettleAsync();
        return rig;
    }

    /// <summary>Builds the loop, bus and timer service and starts the loop; the timers start with <c>Timers.StartAsync</c>.</summary>
    public static async Task<TimerRig> CreateAsync(
        TimeProvider clock,
        string databasePath,
        TimersOptions? options = null,
        ITimerStore? store = null,
        Microsoft.Extensions.Logging.ILoggerFactory? logs = null)
    {
        var loop = new EventLoop(new LoopOptions(), clock, NullLogger<EventLoop>.Instance);
        var intents = new IntentProcessor(loop, NullLogger<IntentProcessor>.Instance);
        var bus = new MessageBus(loop, intents, clock, NullLogger<MessageBus>.Instance);
        var timers = new DurableTimerService(options ?? new TimersOptions { TimeZone = "UTC" }, store ?? new TimerStore(databasePath), clock, loop, bus, intents, logs ?? NullLoggerFactory.Instance);
        var rig = new TimerRig(clock, databasePath, loop, intents, bus, timers);
        loop.Start();
        await loop.InvokeAsync(() => bus.Subscribe(new BusSubscriber("test"), Events.TimerExpired, "Record", (e, _) =>
        {
            rig.Record(e);
            return [];
        }));
        return rig;
    }

    /// <summary>Completes once <paramref name="count"/> expiries have been handled in total.</summary>
    public async Task WaitForExpiriesAsync(int count)
    {
        var handled = await _loop.InvokeAsync(() => Task.FromResult(Expect(count)));
        await handled;
    }

    /// <summary>
    /// Keeps the loop busy until <paramref name="release"/> is set (or <paramref name="patience"/> passes):
    /// expiries posted after this call wait in its queue, undispatched. Completes once the loop is free again.
    /// </summary>
    public Task HoldLoopAsync(ManualResetEventSlim release, TimeSpan patience)
    {
        ArgumentNullException.ThrowIfNull(release);
        return _loop.InvokeAsync(() => release.Wait(patience));
    }

    /// <summary>Sets a timer for ann on the console; throws if it is refused.</summary>
    public async Task<TimerInfo> SetAsync(string when, string label, string? user = "ann", string channel = "console")
    {
        if (!TimerDue.TryParse(when, out var due, out var error))
        {
            throw new ArgumentException(error, nameof(when));
        }

        var result = await Timers.ScheduleAsync(new TimerRequest(due, label, user, channel));
        return result.Scheduled ? result.Timer : throw new InvalidOperationException($"Timer '{label}' was refused: {result.Refusal}");
    }

    /// <summary>Moves the fake clock, then waits until everything it set off has run.</summary>
    public async Task AdvanceAsync(TimeSpan by)
    {
        ((FakeTimeProvider)Clock).Advance(by);
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
    public long CountInFile(string state) => Backend?.Count(state) ?? CountInFile(DatabasePath, state);

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
        Expired.Enqueue(expired);
        if (_lateMs.Count == 0)
        {
            FirstExpiryTimestamp = Stopwatch.GetTimestamp();
        }

        var due = DateTimeOffset.Parse(expired.Get(TimerData.DueAt)!, CultureInfo.InvariantCulture);
        _lateMs.Add((Clock.GetUtcNow() - due).TotalMilliseconds);
        if (_lateMs.Count == _awaited)
        {
            _expected.TrySetResult();
        }
    }
}
