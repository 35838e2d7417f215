using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace AgentPlugins.Host.Loop;

/// <summary>
/// The single loop all role code runs on: one thing at a time, in the order work arrived, on a
/// dedicated thread. Other threads post to it; one that brings a request while the loop is idle (nothing
/// queued, nothing running) may run it itself (<see cref="RunOrPostAsync"/>), holding the loop as its
/// thread would, which spares the request two thread hand-offs. Ingress from outside is bounded
/// (producers wait); work the loop posts to itself, including <c>await</c> continuations, is not (no
/// self-deadlock).
/// </summary>
internal sealed class EventLoop : IAsyncDisposable
{
    private readonly Channel<LoopItem> _ingress;
    private readonly ConcurrentQueue<LoopWork> _internal = new();
    private readonly ManualResetEventSlim _wake = new(false);
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ILogger _log;
    private readonly LoopWatchdog _watchdog;
    private Thread? _thread;

    // The managed id of the thread running loop work now (the loop thread, or one running a request in
    // its place), 0 when none: taking it is what makes a thread the loop for that while.
    private int _owner;

    // The loop the current thread holds now, if any: a thread-local read, so posting (every bus event)
    // never reads a field the loop thread writes.
    [ThreadStatic]
    private static EventLoop? t_holding;
    private int _sleeping;
    private int _pending;
    private volatile bool _draining;
    private long _completed;
    private long _dropped;
    private bool? _drained;

    public EventLoop(LoopOptions options, TimeProvider clock, ILogger<EventLoop> log)
    {
        ArgumentNullException.ThrowIfNull(options);
        _ingress = Channel.CreateBounded<LoopItem>(new BoundedChannelOptions(options.IngressCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _log = log;
        SynchronizationContext = new LoopSynchronizationContext(this);
        _watchdog = new LoopWatchdog(options, this, clock, log);
    }

    /// <summary>The context that brings continuations back to this loop.</summary>
    public SynchronizationContext SynchronizationContext { get; }

    /// <summary>The managed id of the loop thread, or null before <see cref="Start"/>.</summary>
    public int? ThreadId => _thread?.ManagedThreadId;

    public bool IsOnLoop => t_holding == this;

    /// <summary>Work items run so far.</summary>
    public long Completed => Interlocked.Read(ref _completed);

    /// <summary>Continuations of quarantined generations dropped instead of run.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Reports role calls that hold the loop too long.</summary>
    public LoopWatchdog Watchdog => _watchdog;

    /// <summary>Completes when the loop thread has ended.</summary>
    public Task Stopped => _stopped.Task;

    /// <summary>Starts the loop thread. Nothing runs before this; building a loop starts no thread.</summary>
    public void Start()
    {
        if (_thread is not null)
        {
            throw new InvalidOperationException("The loop is already started.");
        }

        _thread = new Thread(Run) { Name = "agentplugins-loop", IsBackground = true };
        _thread.Start();
        _watchdog.Start();
    }

    /// <summary>
    /// Posts <paramref name="item"/> (work, or an event) to the loop, waiting while the ingress queue is
    /// full. Posted from the loop itself it never waits (the loop cannot wait on itself).
    /// </summary>
    public ValueTask PostAsync(LoopItem item, CancellationToken cancellationToken = default) =>
        TryPost(item) ? ValueTask.CompletedTask : PostSlowAsync(item, cancellationToken);

    /// <summary>Posts <paramref name="item"/> like <see cref="PostAsync"/>, but returns false instead of waiting when the ingress queue is full or closed.</summary>
    public bool TryPost(LoopItem item)
    {
        if (item.IsEmpty)
        {
            throw new ArgumentException("Nothing to post.", nameof(item));
        }

        if (IsOnLoop)
        {
            Continue(item.AsWork());
            return true;
        }

        if (!_ingress.Writer.TryWrite(item))
        {
            return false;
        }

        Wake();
        return true;
    }

    /// <summary>
    /// Runs <paramref name="item"/> on the calling thread, as the loop, when the loop is idle (started,
    /// nothing queued, nothing running, not stopping); posts it like <see cref="PostAsync"/> otherwise. The
    /// item's <c>await</c> continuations come back to the loop as usual; the caller's synchronization
    /// context is restored after.
    /// </summary>
    public ValueTask RunOrPostAsync(LoopItem item, CancellationToken cancellationToken = default)
    {
        if (item.IsEmpty)
        {
            throw new ArgumentException("Nothing to post.", nameof(item));
        }

        var me = Environment.CurrentManagedThreadId;
        if (_thread is null || _draining || HasWork(_ingress.Reader) || Interlocked.CompareExchange(ref _owner, me, 0) != 0)
        {
            return PostAsync(item, cancellationToken);
        }

        var caller = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(SynchronizationContext);
        t_holding = this;
        try
        {
            Execute(item);
        }
        finally
        {
            t_holding = null;
            SynchronizationContext.SetSynchronizationContext(caller);
            Release();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Runs <paramref name="work"/> on the loop and gives its result to the caller.</summary>
    public async Task<T> InvokeAsync<T>(Func<Task<T>> work, CancellationToken cancellationToken = default)
    {
        var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        await PostAsync(new CallbackWork(_ => Forward(work, result), null), cancellationToken).ConfigureAwait(false);
        return await result.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs <paramref name="work"/> on the loop.</summary>
    public Task InvokeAsync(Action work, CancellationToken cancellationToken = default) =>
        InvokeAsync(
            () =>
            {
                work();
                return Task.FromResult(true);
            },
            cancellationToken);

    /// <summary>Keeps shutdown waiting for <paramref name="task"/>, an operation started on the loop.</summary>
    public void Track(Task task)
    {
        if (task.IsCompleted)
        {
            return;
        }

        Interlocked.Increment(ref _pending);
        task.ContinueWith(
            static (_, state) =>
            {
                var loop = (EventLoop)state!;
                Interlocked.Decrement(ref loop._pending);
                loop.Wake();
            },
            this,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>
    /// Stops taking ingress, runs what is queued and in flight (up to <paramref name="timeout"/>), then
    /// ends. Returns false when the loop did not drain in time (a role call still holds it); a second
    /// stop then returns at once rather than wait again.
    /// </summary>
    public async Task<bool> StopAsync(TimeSpan timeout)
    {
        if (_drained is { } known)
        {
            return known || _stopped.Task.IsCompleted;
        }

        _ingress.Writer.TryComplete();
        _draining = true;
        Wake();
        if (_thread is null)
        {
            _stopped.TrySetResult();
            _drained = true;
            return true;
        }

        var finished = await Task.WhenAny(_stopped.Task, Task.Delay(timeout)).ConfigureAwait(false);
        _drained = finished == _stopped.Task;
        if (_drained == false)
        {
            var running = _watchdog.Current;
            _log.LogWarning(
                "The loop did not drain within {Timeout}; {Pending} operations were still in flight{Running}.",
                timeout,
                Volatile.Read(ref _pending),
                running is null ? string.Empty : $", and {running} still held the loop");
        }

        return _drained.Value;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        await _watchdog.DisposeAsync().ConfigureAwait(false);
        _wake.Dispose();
    }

    internal void CountDropped() => Interlocked.Increment(ref _dropped);

    /// <summary>
    /// Queues the continuation of work the loop already admitted (an <c>await</c> resuming, a gate
    /// opening), from any thread. It bypasses the bounded ingress on purpose: holding a continuation
    /// back behind new ingress could deadlock the work that ingress waits for.
    /// </summary>
    internal void Continue(LoopWork work)
    {
        _internal.Enqueue(work);
        Wake();
    }

    private static async void Forward<T>(Func<Task<T>> work, TaskCompletionSource<T> result)
    {
        // async void is deliberate: this is the loop's own top-level entry, and every exception is
        // handed to the caller through the completion source.
        try
        {
            result.TrySetResult(await work().ConfigureAwait(true));
        }
        catch (Exception ex)
        {
            result.TrySetException(ex);
        }
    }

    private async ValueTask PostSlowAsync(LoopItem item, CancellationToken cancellationToken)
    {
        await _ingress.Writer.WriteAsync(item, cancellationToken).ConfigureAwait(false);
        Wake();
    }

    private void Wake()
    {
        if (Volatile.Read(ref _sleeping) == 1 && Interlocked.Exchange(ref _sleeping, 0) == 1)
        {
            _wake.Set();
        }
    }

    // Gives the loop up; work queued meanwhile (the holder's own posts) goes to the loop thread.
    private void Release()
    {
        // A full fence: the loop thread sets _sleeping then reads _owner; this writes _owner then reads _sleeping (in Wake).
        Interlocked.Exchange(ref _owner, 0);
        if (HasWork(_ingress.Reader) || _draining)
        {
            Wake();
        }
    }

    private bool HasWork(ChannelReader<LoopItem> reader) => !_internal.IsEmpty || reader.TryPeek(out _);

    private void Run()
    {
        SynchronizationContext.SetSynchronizationContext(SynchronizationContext);
        var me = Environment.CurrentManagedThreadId;
        var reader = _ingress.Reader;
        try
        {
            while (true)
            {
                // Held while awake, given up only to sleep: a steady stream of work pays nothing for it.
                if (Interlocked.CompareExchange(ref _owner, me, 0) == 0)
                {
                    t_holding = this;
                    while (true)
                    {
                        if (_internal.TryDequeue(out var work))
                        {
                            Execute(work);
                        }
                        else if (reader.TryRead(out var item))
                        {
                            Execute(item);
                        }
                        else
                        {
                            break;
                        }
                    }

                    t_holding = null;

                    // A full fence before the sleep check below reads the queues (see Release).
                    Interlocked.Exchange(ref _owner, 0);
                }

                if (_draining && reader.Completion.IsCompleted && Volatile.Read(ref _pending) == 0 && Volatile.Read(ref _owner) == 0 && !HasWork(reader))
                {
                    return;
                }

                // Asleep until work comes, or until a thread running a request in the loop's place gives it back.
                _wake.Reset();
                Interlocked.Exchange(ref _sleeping, 1);
                if ((HasWork(reader) && Volatile.Read(ref _owner) == 0) || (_draining && Volatile.Read(ref _pending) == 0 && Volatile.Read(ref _owner) == 0))
                {
                    Interlocked.Exchange(ref _sleeping, 0);
                    continue;
                }

                _wake.Wait();
            }
        }
        finally
        {
            _stopped.TrySetResult();
        }
    }

    private void Execute(LoopWork work) => Execute((LoopItem)work);

    private void Execute(LoopItem item)
    {
        try
        {
            item.Run();
        }
        catch (Exception ex)
        {
            _log.LogError(ex, "Loop work {Work} failed.", item.Name);
        }

        _completed++;
    }
}
