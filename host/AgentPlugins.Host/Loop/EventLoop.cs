using System.Collections.Concurrent;
using System.Threading.Channels;
using AgentPlugins.Sdk;
using Microsoft.Extensions.Logging;

namespace AgentPlugins.Host.Loop;

/// <summary>
/// The single loop all role code runs on: one dedicated thread, one thing at a time, in the order
/// work arrived. Other threads only post to it. Ingress from outside is bounded (producers wait);
/// work the loop posts to itself, including <c>await</c> continuations, is not (no self-deadlock).
/// </summary>
internal sealed class EventLoop : IAsyncDisposable
{
    private readonly Channel<Ingress> _ingress;
    private readonly ConcurrentQueue<LoopWork> _internal = new();
    private readonly ManualResetEventSlim _wake = new(false);
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ILogger _log;
    private readonly LoopWatchdog _watchdog;
    private Thread? _thread;
    private int _sleeping;
    private int _pending;
    private volatile bool _draining;
    private long _completed;
    private long _dropped;
    private bool? _drained;

    public EventLoop(LoopOptions options, TimeProvider clock, ILogger<EventLoop> log)
    {
        ArgumentNullException.ThrowIfNull(options);
        _ingress = Channel.CreateBounded<Ingress>(new BoundedChannelOptions(options.IngressCapacity)
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

    public bool IsOnLoop => _thread is not null && Environment.CurrentManagedThreadId == _thread.ManagedThreadId;

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

    /// <summary>Posts work from outside the loop, waiting while the ingress queue is full.</summary>
    public ValueTask EnqueueAsync(LoopWork work, CancellationToken cancellationToken = default)
    {
        if (IsOnLoop)
        {
            PostInternal(work);
            return ValueTask.CompletedTask;
        }

        if (_ingress.Writer.TryWrite(new Ingress(work, null, null)))
        {
            Wake();
            return ValueTask.CompletedTask;
        }

        return EnqueueSlowAsync(new Ingress(work, null, null), cancellationToken);
    }

    /// <summary>Where events published with <see cref="TryEnqueueEvent"/> are dispatched, on the loop.</summary>
    public Action<BusEvent, EventOrigin>? EventDispatch { get; set; }

    /// <summary>Posts an event for <see cref="EventDispatch"/>; events travel inline, so publishing allocates no work item.</summary>
    public bool TryEnqueueEvent(BusEvent busEvent, EventOrigin origin)
    {
        if (IsOnLoop)
        {
            PostInternal(new EventWork(this, busEvent, origin));
            return true;
        }

        if (!_ingress.Writer.TryWrite(new Ingress(null, busEvent, origin)))
        {
            return false;
        }

        Wake();
        return true;
    }

    /// <summary>Posts an event for <see cref="EventDispatch"/>, waiting while the ingress queue is full.</summary>
    public ValueTask EnqueueEventAsync(BusEvent busEvent, EventOrigin origin, CancellationToken cancellationToken = default)
    {
        if (TryEnqueueEvent(busEvent, origin))
        {
            return ValueTask.CompletedTask;
        }

        return EnqueueSlowAsync(new Ingress(null, busEvent, origin), cancellationToken);
    }

    /// <summary>Posts work from outside the loop unless the ingress queue is full or closed.</summary>
    public bool TryEnqueue(LoopWork work)
    {
        if (IsOnLoop)
        {
            PostInternal(work);
            return true;
        }

        if (!_ingress.Writer.TryWrite(new Ingress(work, null, null)))
        {
            return false;
        }

        Wake();
        return true;
    }

    /// <summary>Runs <paramref name="work"/> on the loop and gives its result to the caller.</summary>
    public async Task<T> InvokeAsync<T>(Func<Task<T>> work, CancellationToken cancellationToken = default)
    {
        var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        await EnqueueAsync(new CallbackWork(_ => Forward(work, result), null), cancellationToken).ConfigureAwait(false);
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

    internal void PostInternal(LoopWork work)
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

    private async ValueTask EnqueueSlowAsync(Ingress item, CancellationToken cancellationToken)
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

    private void Run()
    {
        SynchronizationContext.SetSynchronizationContext(SynchronizationContext);
        var reader = _ingress.Reader;
        try
        {
            while (true)
            {
                if (_internal.TryDequeue(out var work))
                {
                    Execute(work);
                    continue;
                }

                if (reader.TryRead(out var item))
                {
                    if (item.Work is not null)
                    {
                        Execute(item.Work);
                    }
                    else
                    {
                        Dispatch(item.Event!, item.Origin!);
                    }

                    continue;
                }

                if (_draining && reader.Completion.IsCompleted && Volatile.Read(ref _pending) == 0)
                {
                    return;
                }

                _wake.Reset();
                Interlocked.Exchange(ref _sleeping, 1);
                if (!_internal.IsEmpty || reader.TryPeek(out _) || (_draining && Volatile.Read(ref _pending) == 0))
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

    private void Dispatch(BusEvent busEvent, EventOrigin origin)
    {
        try
        {
            EventDispatch!(busEvent, origin);
        }
        catch (Exception ex)
        {
            _log.LogError(ex, "Dispatching {EventType} failed.", busEvent.Type);
        }

        _completed++;
    }

    private void Execute(LoopWork work)
    {
        try
        {
            work.Run();
        }
        catch (Exception ex)
        {
            _log.LogError(ex, "Loop work {Work} failed.", work.GetType().Name);
        }

        _completed++;
    }

    /// <summary>One entry of the ingress queue: a piece of work, or an event carried inline.</summary>
    private readonly record struct Ingress(LoopWork? Work, BusEvent? Event, EventOrigin? Origin);

    /// <summary>An event the loop publishes to itself; rare enough to allocate.</summary>
    private sealed class EventWork(EventLoop loop, BusEvent busEvent, EventOrigin origin) : LoopWork
    {
        public override void Run() => loop.EventDispatch!(busEvent, origin);
    }
}
