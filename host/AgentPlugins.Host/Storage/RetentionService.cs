using Microsoft.Extensions.Logging;

namespace AgentPlugins.Host.Storage;

/// <summary>
/// Keeps what the host stores bounded while it runs, for months: every <c>retention:interval</c>,
/// off the loop, each store (<see cref="IRetentionTarget"/>) loses its records past their age, then
/// its oldest ones while it is over its size, in batches of <c>retention:batchSize</c> (one short
/// transaction each), then gives the freed space back to the file system and truncates its WAL.
/// Stores other parts of the host own plug in with <see cref="Add"/>.
/// </summary>
internal sealed class RetentionService : IAsyncDisposable
{
    private readonly RetentionOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger _log;
    private readonly List<IRetentionTarget> _targets = [];
    private readonly HashSet<string> _overBound = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _running = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private ITimer? _timer;
    private Task _pass = Task.CompletedTask;
    private int _disposed;

    public RetentionService(RetentionOptions options, TimeProvider clock, ILogger<RetentionService> log)
    {
        _options = options;
        _clock = clock;
        _log = log;
    }

    /// <summary>Raised after every pass with what it did (off the loop).</summary>
    public event Action<IReadOnlyList<RetentionPass>>? Passed;

    /// <summary>The stores retention looks after.</summary>
    public IReadOnlyList<string> Stores
    {
        get
        {
            lock (_targets)
            {
                return [.. _targets.Select(t => t.Name)];
            }
        }
    }

    /// <summary>Adds a store; its bounds are <c>retention:stores:NAME</c> over its own defaults.</summary>
    public void Add(IRetentionTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        lock (_targets)
        {
            _targets.Add(target);
        }
    }

    /// <summary>Runs a first pass now, then one every <c>retention:interval</c>.</summary>
    public void Start() => _timer = _clock.CreateTimer(static state => ((RetentionService)state!).Tick(), this, TimeSpan.Zero, _options.Interval);

    /// <summary>Runs one pass over every store (waiting for a running one to end first) and says what it did.</summary>
    public async Task<IReadOnlyList<RetentionPass>> RunPassAsync(CancellationToken cancellationToken = default)
    {
        await _running.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            IRetentionTarget[] targets;
            lock (_targets)
            {
                targets = [.. _targets];
            }

            var passes = new List<RetentionPass>(targets.Length);
            foreach (var target in targets)
            {
                passes.Add(await PassAsync(target, cancellationToken).ConfigureAwait(false));
            }

            Passed?.Invoke(passes);
            return passes;
        }
        finally
        {
            _running.Release();
        }
    }

    /// <summary>Stops the passes, waiting for a running one to end; a second call (the container's, after the host's) does nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        if (_timer is not null)
        {
            await _timer.DisposeAsync().ConfigureAwait(false);
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _pass.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped mid-pass: the next start's first pass goes on where this one stopped.
        }

        _stop.Dispose();
        _running.Dispose();
    }

    private void Tick()
    {
        // A pass still running (a huge first prune) is not doubled; the next tick comes round again.
        if (!_pass.IsCompleted || Volatile.Read(ref _disposed) == 1)
        {
            return;
        }

        _pass = Task.Run(() => RunPassAsync(_stop.Token), CancellationToken.None);
    }

    private async Task<RetentionPass> PassAsync(IRetentionTarget target, CancellationToken cancellationToken)
    {
        var policy = _options.For(target.Name, target.Defaults);
        long byAge = 0, bySize = 0;
        try
        {
            if (policy.Age is { } age)
            {
                var cutoff = _clock.GetUtcNow() - age;
                byAge = await RepeatAsync(() => target.PruneOlderThan(cutoff, _options.BatchSize), cancellationToken).ConfigureAwait(false);
            }

            var bytes = target.DataBytes();
            if (policy.MaxBytes is { } max && bytes > max)
            {
                int deleted;
                do
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    deleted = target.PruneOldest(_options.BatchSize);
                    bySize += deleted;
                    bytes = target.DataBytes();
                    await Task.Yield();
                }
                while (deleted > 0 && bytes > max);

                if (bytes > max && _overBound.Add(target.Name))
                {
                    // What is left is still in use (pending timers, say): said once, not every pass.
                    _log.LogWarning("Retention: {Store} holds {Megabytes:F1} MB still in use, over its bound of {Max} MB (retention:stores:{Store}:maxMegabytes).", target.Name, bytes / 1048576.0, policy.MaxMegabytes, target.Name);
                }
            }

            if (policy.MaxBytes is not { } bound || bytes <= bound)
            {
                _overBound.Remove(target.Name);
            }

            // Every pass, not only after deletes: the WAL grows under steady writes whatever retention deletes.
            target.Compact();

            if (byAge + bySize > 0)
            {
                _log.LogDebug("Retention: {Store} lost {ByAge} record(s) past their age and {BySize} over its size.", target.Name, byAge, bySize);
            }

            StorageMetrics.Pruned(target.Name, byAge + bySize);
            return new RetentionPass(target.Name, byAge, bySize, bytes, null);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception ex)
        {
            _log.LogWarning("Retention pass on {Store} failed: {Message}; it is tried again at the next pass.", target.Name, ex.Message);
            return new RetentionPass(target.Name, byAge, bySize, -1, ex.Message);
        }
    }

    private static async Task<long> RepeatAsync(Func<int> batch, CancellationToken cancellationToken)
    {
        long total = 0;
        int deleted;
        do
        {
            cancellationToken.ThrowIfCancellationRequested();
            deleted = batch();
            total += deleted;

            // Between two batches: let the store's writer take its turn.
            await Task.Yield();
        }
        while (deleted > 0);

        return total;
    }
}
