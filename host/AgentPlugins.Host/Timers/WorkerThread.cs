namespace AgentPlugins.Host.Timers;

/// <summary>
/// A thread of its own for the timer store's worker: an async flow whose continuations (awaited with
/// <c>ConfigureAwait(true)</c>) all come back to this one thread. The worker's store calls are
/// synchronous (SQLite, Npgsql) and each blocks this thread, never one of the thread pool's: the
/// pool cannot run dry under them (which stalled expiries for seconds), and handing the worker a
/// command wakes this thread directly instead of a pool thread.
/// </summary>
internal sealed class WorkerThread : SynchronizationContext
{
    private readonly Queue<(SendOrPostCallback Callback, object? State)> _queue = new();

    // Monitor.Wait/Pulse need a plain object to lock on.
    private readonly object _gate = new();
    private bool _ended;

    private WorkerThread()
    {
    }

    /// <summary>Starts <paramref name="work"/> on a new background thread named <paramref name="name"/>; the task ends with it, and the thread then ends.</summary>
    public static Task Run(string name, Func<Task> work)
    {
        var context = new WorkerThread();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() => context.Pump(work, done)) { Name = name, IsBackground = true };
        thread.Start();
        return done.Task;
    }

    public override void Post(SendOrPostCallback d, object? state)
    {
        lock (_gate)
        {
            if (!_ended)
            {
                _queue.Enqueue((d, state));
                Monitor.Pulse(_gate);
                return;
            }
        }

        // The flow has ended: nothing of it is left to run here; whatever still arrives runs on the pool.
        ThreadPool.UnsafeQueueUserWorkItem(static s => s.d(s.state), (d, state), preferLocal: false);
    }

    public override void Send(SendOrPostCallback d, object? state) => throw new NotSupportedException("The timer worker's thread takes posted work only.");

    public override SynchronizationContext CreateCopy() => this;

    private void Pump(Func<Task> work, TaskCompletionSource done)
    {
        SetSynchronizationContext(this);
        Task flow;
        try
        {
            flow = work();
        }
        catch (Exception ex)
        {
            flow = Task.FromException(ex);
        }

        flow.ContinueWith(static (_, self) => ((WorkerThread)self!).End(), this, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        while (Next() is var (callback, state))
        {
            callback(state);
        }

        if (flow.Exception is { } failure)
        {
            done.SetException(failure.InnerExceptions);
        }
        else
        {
            done.SetResult();
        }
    }

    // The next callback posted, waiting for one; null once the flow has ended and everything posted before has run.
    private (SendOrPostCallback Callback, object? State)? Next()
    {
        lock (_gate)
        {
            while (_queue.Count == 0)
            {
                if (_ended)
                {
                    return null;
                }

                Monitor.Wait(_gate);
            }

            return _queue.Dequeue();
        }
    }

    private void End()
    {
        lock (_gate)
        {
            _ended = true;
            Monitor.Pulse(_gate);
        }
    }
}
