using System.Diagnostics;
using System.Reactive.Linq;
using AgentPlugins.Host.Compilation;
using Microsoft.Extensions.Logging;

namespace AgentPlugins.Host.Roles.Watching;

/// <summary>
/// Keeps the roles in service in step with the roles folder. Watches it, waits out each file's
/// burst of writes (per path), then reads the file once and hands it to the lifecycle: gone means
/// retire, anything else means apply (which skips content that already serves). One file is handled
/// at a time, in the order the bursts ended, so a file's saves apply in order.
/// </summary>
internal sealed class RoleReloader : IDisposable
{
    // How often the folder's own presence is checked besides its parent's events: a stat, cheap.
    private static readonly TimeSpan FolderPoll = TimeSpan.FromSeconds(1);

    private readonly string _folder;
    private readonly TimeSpan _rescanInterval;
    private readonly AdaptiveDebounce _debounce;
    private readonly LogLevel _timingsLevel;
    private readonly RoleLifecycle _lifecycle;
    private readonly ILogger _log;
    private readonly TaskCompletionSource _caughtUp = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IDisposable? _subscription;
    private long _reloads;
    private long _skipped;
    private long _retired;

    /// <param name="debounce">The longest a file must be quiet before a save is picked up (<c>roles:debounce</c>).</param>
    /// <param name="rescanInterval">How often the whole folder is compared with what serves; zero for never (<c>roles:rescanInterval</c>).</param>
    /// <param name="logTimings">Log each reload's stage timings at Information rather than Debug (<c>roles:reloadTimings</c>).</param>
    public RoleReloader(string folder, TimeSpan debounce, TimeSpan rescanInterval, RoleLifecycle lifecycle, ILogger<RoleReloader> log, bool logTimings = false)
    {
        _folder = Path.GetFullPath(folder);
        _rescanInterval = rescanInterval;
        _debounce = new AdaptiveDebounce(debounce);
        _timingsLevel = logTimings ? LogLevel.Information : LogLevel.Debug;
        _lifecycle = lifecycle;
        _log = log;
    }

    /// <summary>Loads tried because a file's content changed (or appeared).</summary>
    public long Reloads => Interlocked.Read(ref _reloads);

    /// <summary>Saves that changed nothing (same content hash).</summary>
    public long Skipped => Interlocked.Read(ref _skipped);

    /// <summary>Roles taken out of service because their file went away.</summary>
    public long Retired => Interlocked.Read(ref _retired);

    /// <summary>
    /// Loads every role file of the folder at once (start-up): read here, compiled in parallel, put in
    /// service in name order. Returns the diagnostics of the files that did not load; the others serve.
    /// </summary>
    public async Task<IReadOnlyList<RoleDiagnostic>> LoadFolderAsync(CancellationToken cancellationToken = default)
    {
        if (!Directory.Exists(_folder))
        {
            _log.LogWarning("The roles folder {Folder} does not exist; no roles are loaded.", _folder);
            return [];
        }

        var reads = await Task.WhenAll(RoleFileReader.FindRoleFiles(_folder).Select(path => RoleFileReader.ReadAsync(path, _folder, cancellationToken))).ConfigureAwait(false);
        var failures = new List<RoleDiagnostic>();
        foreach (var problem in reads.Where(r => r.Kind == RoleFileReadKind.Problem))
        {
            failures.AddRange((await _lifecycle.RefuseAsync(problem.Diagnostic!.Path, problem.Diagnostic, cancellationToken).ConfigureAwait(false)).Diagnostics);
        }

        foreach (var empty in reads.Where(r => r.Kind == RoleFileReadKind.Empty))
        {
            _log.LogWarning("{Diagnostic}", empty.Diagnostic!.ToString());
        }

        var outcomes = await _lifecycle.ApplyAllAsync([.. reads.Where(r => r.Kind == RoleFileReadKind.Read).Select(r => r.File!)], cancellationToken).ConfigureAwait(false);
        failures.AddRange(outcomes.SelectMany(o => o.Diagnostics));
        return failures;
    }

    /// <summary>
    /// Completes once watching has caught up with the folder: the first rescan after <see cref="Start"/>
    /// is done (or the folder is absent), so a change made before it is not re-applied after it.
    /// </summary>
    public Task CaughtUp => _caughtUp.Task;

    /// <summary>Starts watching. Begins with a rescan, which catches what changed since the folder was loaded.</summary>
    public void Start()
    {
        if (_subscription is not null)
        {
            throw new InvalidOperationException("The reloader is already started.");
        }

        // Each time the folder is seen anew (at start, moved back, recreated, swapped) a fresh file
        // watcher starts with a rescan; while it is gone nothing is watched and what serves goes on.
        var rescans = _rescanInterval > TimeSpan.Zero ? Observable.Interval(_rescanInterval).Select(_ => WatchSignal.RescanAll) : Observable.Never<WatchSignal>();
        _subscription = RoleFolderWatcher.Observe(_folder, FolderPoll)
            .Do(Report)
            .Select(sighting => sighting.Present
                ? RoleFileWatcher.Observe(_folder).StartWith(WatchSignal.RescanAll).Merge(rescans).Catch<WatchSignal, IOException>(ex =>
                {
                    _log.LogWarning(ex, "Cannot watch the roles folder {Folder}; checking for it again.", _folder);
                    return Observable.Never<WatchSignal>();
                })
                : Observable.Never<WatchSignal>())
            .Switch()
            .Select(signal => (Signal: signal, At: Stopwatch.GetTimestamp()))
            .GroupBy(e => e.Signal.Path, StringComparer.Ordinal)
            .SelectMany(path => path
                .Throttle(e => Observable.Timer(_debounce.Observe(path.Key, e.At)))
                .Select(e => (e.Signal, Timings: new LoadTimings { Event = _debounce.Settle(path.Key), Settled = Stopwatch.GetTimestamp() })))
            .Select(e => Observable.FromAsync(token => HandleAsync(e.Signal, e.Timings, token)))
            .Concat()
            .Subscribe(
                _ => { },
                ex => _log.LogError(ex, "The roles folder watcher stopped; edits are no longer picked up until the host restarts."));
        _log.LogInformation("Watching {Folder} for role changes.", _folder);
    }

    public void Dispose()
    {
        _subscription?.Dispose();
        _subscription = null;
    }

    private void Report(FolderSighting sighting)
    {
        if (!sighting.Present)
        {
            _caughtUp.TrySetResult();
        }

        // At start an absent folder was reported by the initial load already.
        if (sighting.Number == 0)
        {
            return;
        }

        if (!sighting.Present)
        {
            _log.LogWarning("The roles folder {Folder} was moved or deleted; the roles keep serving as loaded until it is back.", _folder);
        }
        else
        {
            _log.LogInformation("The roles folder {Folder} appeared (created, moved back or replaced); loading what it holds.", _folder);
        }
    }

    private async Task HandleAsync(WatchSignal signal, LoadTimings timings, CancellationToken cancellationToken)
    {
        try
        {
            if (signal.Rescan)
            {
                await RescanAsync(cancellationToken).ConfigureAwait(false);
                _caughtUp.TrySetResult();
            }
            else
            {
                await RefreshAsync(signal.Path, cancellationToken, timings).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
        catch (System.Threading.Channels.ChannelClosedException)
        {
            // The loop is draining for shutdown; there is nothing to reload into.
        }
        catch (Exception ex)
        {
            // One bad file event must not end the watching.
            _log.LogError(ex, "Reloading {Path} failed.", signal.Rescan ? _folder : signal.Path);
        }
    }

    private async Task RescanAsync(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(_folder))
        {
            return;
        }

        var files = RoleFileReader.FindRoleFiles(_folder);
        var known = _lifecycle.Status.Where(s => s.State != RoleState.Retired && IsInFolder(s.Path)).Select(s => s.Path);
        foreach (var path in files.Union(known, StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            await RefreshAsync(path, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task RefreshAsync(string path, CancellationToken cancellationToken, LoadTimings? timings = null)
    {
        var read = await RoleFileReader.ReadAsync(path, _folder, cancellationToken).ConfigureAwait(false);
        timings?.Read = Stopwatch.GetTimestamp();
        switch (read.Kind)
        {
            case RoleFileReadKind.Gone:
                // A file goes with its folder too (rm -r, a move): only a file gone from a folder
                // that is still there retires its role.
                if (Directory.Exists(_folder) && _lifecycle.StatusOf(path) is { State: not RoleState.Retired })
                {
                    Interlocked.Increment(ref _retired);
                    _log.LogInformation("{Path} is gone; retiring its role.", path);
                    await _lifecycle.RetireAsync(path, cancellationToken).ConfigureAwait(false);
                }

                return;

            case RoleFileReadKind.Empty:
                // Almost always a save caught between truncating and writing; the next change event
                // brings the content. What serves goes on serving meanwhile.
                _log.LogDebug("{Path} is empty; waiting for its content.", path);
                return;

            case RoleFileReadKind.Problem:
                Interlocked.Increment(ref _reloads);
                await _lifecycle.RefuseAsync(path, read.Diagnostic!, cancellationToken).ConfigureAwait(false);
                return;
        }

        var outcome = await _lifecycle.ApplyAsync(read.File!, timings, cancellationToken).ConfigureAwait(false);
        if (outcome is ApplyOutcome.Unchanged)
        {
            Interlocked.Increment(ref _skipped);
        }
        else
        {
            Interlocked.Increment(ref _reloads);
            if (outcome is ApplyOutcome.Loaded && timings is not null && _log.IsEnabled(_timingsLevel))
            {
                _log.Log(_timingsLevel, "Reload timings {Path}: {Timings}", path, timings.Describe());
            }
        }
    }

    private bool IsInFolder(string path) =>
        string.Equals(Path.GetDirectoryName(path), _folder, StringComparison.Ordinal);
}
