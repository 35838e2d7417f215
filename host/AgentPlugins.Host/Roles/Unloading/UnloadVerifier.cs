using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace AgentPlugins.Host.Roles.Unloading;

/// <summary>
/// Sees each retired generation out of memory, off the loop: waits (with a timeout) for its
/// running intent handlers, unloads its context, then checks a weak reference to the context over
/// a bounded series of garbage collections with growing pauses. The BCL's reflection caches are
/// cleared only from the second pass of a series on: most generations are gone after the first, and
/// clearing costs (System.Text.Json rebuilds the host's own contracts, the runtime's type cache
/// handler walks every loaded type). Each generation ends <see cref="UnloadOutcome.Unloaded"/> or
/// <see cref="UnloadOutcome.Leaked"/>, the latter with the likely cause.
/// </summary>
internal sealed class UnloadVerifier : IAsyncDisposable
{
    private const int RecentLimit = 100;

    // A forced collection pauses every thread; a pass waits this long at most for loads to finish.
    private static readonly TimeSpan QuietWait = TimeSpan.FromSeconds(2);

    private readonly UnloadVerifierOptions _options;
    private readonly ILogger _log;
    private readonly LoadActivity _activity;
    private readonly Lock _gate = new();
    private readonly List<Retired> _pending = [];
    private readonly Dictionary<string, int> _leakedByPath = new(StringComparer.Ordinal);
    private readonly Queue<UnloadVerdict> _recent = new();
    private readonly SemaphoreSlim _work = new(0);
    private readonly CancellationTokenSource _stopping = new();
    private Task? _worker;
    private int _draining;
    private long _unloaded;
    private long _leaked;
    private long _passes;
    private long _cacheClears;
    private long _passTicks;

    public UnloadVerifier(UnloadVerifierOptions options, LoadActivity activity, ILogger<UnloadVerifier> log)
    {
        _options = options;
        _activity = activity;
        _log = log;
    }

    /// <summary>Raised off the loop with each verdict.</summary>
    public event Action<UnloadVerdict>? Verdict;

    /// <summary>Generations whose context was collected.</summary>
    public long Unloaded => Interlocked.Read(ref _unloaded);

    /// <summary>Generations whose context was still alive after every pass.</summary>
    public long Leaked => Interlocked.Read(ref _leaked);

    /// <summary>Verification passes run so far (each forces two full collections).</summary>
    public long Passes => Interlocked.Read(ref _passes);

    /// <summary>Passes that also cleared the BCL's reflection caches.</summary>
    public long CacheClears => Interlocked.Read(ref _cacheClears);

    /// <summary>Wall time spent in verification passes (collections and cache clears).</summary>
    public TimeSpan PassTime => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _passTicks));

    /// <summary>Retired generations not judged yet (still draining, or being collected).</summary>
    public int Pending
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count + _draining;
            }
        }
    }

    /// <summary>The latest verdicts, oldest first.</summary>
    public IReadOnlyList<UnloadVerdict> Recent
    {
        get
        {
            lock (_gate)
            {
                return [.. _recent];
            }
        }
    }

    /// <summary>Retired generations of <paramref name="path"/> still in memory: not judged yet, or leaked.</summary>
    public int AliveFor(string path)
    {
        lock (_gate)
        {
            return _pending.Count(p => p.Path == path) + _leakedByPath.GetValueOrDefault(path);
        }
    }

    /// <summary>Retired generations of <paramref name="path"/> that leaked.</summary>
    public int LeakedFor(string path)
    {
        lock (_gate)
        {
            return _leakedByPath.GetValueOrDefault(path);
        }
    }

    /// <summary>Takes a generation the registry withdrew; returns at once, the work happens off the loop.</summary>
    public void Track(RoleGeneration generation)
    {
        ArgumentNullException.ThrowIfNull(generation);
        lock (_gate)
        {
            _draining++;
        }

        _ = Task.Run(() => UnloadAsync(generation));
    }

    /// <summary>Takes a context already unloaded after a failed start (<paramref name="path"/>'s generation 0).</summary>
    public void Watch(string path, WeakReference context, byte[]? image) =>
        Add(new Retired(path, Path.GetFileNameWithoutExtension(path), 0, context, image, null, Stopwatch.GetTimestamp()));

    /// <summary>Completes when every tracked generation has a verdict, or <paramref name="timeout"/> passed. True when none is left.</summary>
    public async Task<bool> WaitIdleAsync(TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (Pending > 0)
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                return false;
            }

            await Task.Delay(10).ConfigureAwait(false);
        }

        return true;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            if (_worker is not null)
            {
                await _worker.ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping is the expected end of the worker.
        }

        _stopping.Dispose();
        _work.Dispose();
    }

    private async Task UnloadAsync(RoleGeneration generation)
    {
        var started = Stopwatch.GetTimestamp();
        var drained = await generation.DrainAsync(_options.DrainTimeout).ConfigureAwait(false);
        var stuck = drained ? null : $"{generation.InFlight} intent handler call(s) still running after {_options.DrainTimeout.TotalMilliseconds:F0} ms";
        if (!drained)
        {
            _log.LogWarning("Role {Role} generation {Generation}: {Stuck}; unloading anyway.", generation.Name, generation.Number, stuck);
        }

        try
        {
            Add(new Retired(generation.Path, generation.Name, generation.Number, generation.Unload(), generation.Image, stuck, started));
        }
        finally
        {
            lock (_gate)
            {
                _draining--;
            }
        }
    }

    private void Add(Retired retired)
    {
        lock (_gate)
        {
            _pending.Add(retired);

            // Started by the first retirement, so building a runtime starts nothing.
            if (!_stopping.IsCancellationRequested)
            {
                _worker ??= Task.Run(VerifyAsync);
            }
        }

        _work.Release();
    }

    private async Task VerifyAsync()
    {
        var token = _stopping.Token;
        while (true)
        {
            await _work.WaitAsync(token).ConfigureAwait(false);

            // One series of passes serves every generation that arrived meanwhile.
            while (_work.Wait(0))
            {
            }

            var delay = _options.FirstDelay;
            for (var round = 0; ; round++)
            {
                await Task.Delay(delay, token).ConfigureAwait(false);
                await QuietAsync(token).ConfigureAwait(false);
                if (!Pass(clearCaches: round > 0))
                {
                    break;
                }

                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxDelay.Ticks));
            }
        }
    }

    // Lets a role load (compile, swap) finish before pausing every thread; bounded, so a stream of
    // loads cannot hold verdicts back forever.
    private async Task QuietAsync(CancellationToken token)
    {
        var waited = Stopwatch.StartNew();
        while (_activity.IsBusy && waited.Elapsed < QuietWait)
        {
            await Task.Delay(5, token).ConfigureAwait(false);
        }
    }

    // One garbage collection over every pending context. Returns true while some are still pending.
    private bool Pass(bool clearCaches)
    {
        var started = Stopwatch.GetTimestamp();
        if (clearCaches)
        {
            ReflectionCaches.Clear();
            Interlocked.Increment(ref _cacheClears);
        }

        // The first collection finds the context's loader unreachable and queues its finalizer; the
        // second frees what the finalizer released.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Interlocked.Increment(ref _passes);
        Interlocked.Add(ref _passTicks, Stopwatch.GetTimestamp() - started);

        List<UnloadVerdict> verdicts = [];
        bool more;
        lock (_gate)
        {
            for (var i = _pending.Count - 1; i >= 0; i--)
            {
                var pending = _pending[i];
                pending.Passes++;
                if (pending.Context.IsAlive && pending.Passes < _options.Passes)
                {
                    continue;
                }

                _pending.RemoveAt(i);
                var verdict = pending.Judge();
                // Counted before the generation leaves the pending list's lock, so a caller that sees
                // nothing pending also sees every count.
                if (verdict.Outcome == UnloadOutcome.Leaked)
                {
                    _leakedByPath[pending.Path] = _leakedByPath.GetValueOrDefault(pending.Path) + 1;
                    Interlocked.Increment(ref _leaked);
                }
                else
                {
                    Interlocked.Increment(ref _unloaded);
                }

                _recent.Enqueue(verdict);
                if (_recent.Count > RecentLimit)
                {
                    _recent.Dequeue();
                }

                verdicts.Add(verdict);
            }

            more = _pending.Count > 0;
        }

        foreach (var verdict in verdicts)
        {
            Report(verdict);
        }

        return more;
    }

    private void Report(UnloadVerdict verdict)
    {
        if (verdict.Outcome == UnloadOutcome.Unloaded)
        {
            _log.LogDebug("Role {Role} generation {Generation} unloaded after {Elapsed:F0} ms ({Passes} pass(es)).", verdict.Role, verdict.Generation, verdict.Elapsed.TotalMilliseconds, verdict.Passes);
        }
        else
        {
            _log.LogWarning(
                "Role {Role} generation {Generation} ({Path}) leaked: still in memory after {Passes} collections. Likely cause: {Cause}.",
                verdict.Role,
                verdict.Generation,
                verdict.Path,
                _options.Passes,
                verdict.LikelyCause);
        }

        try
        {
            Verdict?.Invoke(verdict);
        }
        catch (Exception ex)
        {
            _log.LogError(ex, "A verdict listener failed.");
        }
    }

    private sealed class Retired(string path, string role, int generation, WeakReference context, byte[]? image, string? stuck, long started)
    {
        public string Path { get; } = path;

        public WeakReference Context { get; } = context;

        public int Passes { get; set; }

        public UnloadVerdict Judge()
        {
            var elapsed = Stopwatch.GetElapsedTime(started);
            if (!Context.IsAlive)
            {
                return new UnloadVerdict(Path, role, generation, UnloadOutcome.Unloaded, elapsed, null, Passes);
            }

            var cause = LeakSuspects.Describe(image);
            return new UnloadVerdict(Path, role, generation, UnloadOutcome.Leaked, elapsed, stuck is null ? cause : $"{stuck}; {cause}", Passes);
        }
    }
}
