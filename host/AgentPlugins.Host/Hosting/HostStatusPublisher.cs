using AgentPlugins.Host.Roles;
using AgentPlugins.Host.Roles.Unloading;
using AgentPlugins.Host.Storage;
using Microsoft.Extensions.Logging;

namespace AgentPlugins.Host.Hosting;

/// <summary>
/// Keeps the data folder's status file (<see cref="HostStatusFile"/>) current while the host runs:
/// rewritten off the loop at most every <see cref="Interval"/> after a generation changed (unload verdicts included).
/// </summary>
internal sealed class HostStatusPublisher : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan DataRefresh = TimeSpan.FromSeconds(30);

    private readonly string _dataFolder;
    private readonly string _rolesFolder;
    private readonly RoleLifecycle _lifecycle;
    private readonly UnloadVerifier _verifier;
    private readonly ILogger _log;
    private readonly TimeProvider _clock;
    private readonly DateTimeOffset _processStartedAt = HostStatusFile.CurrentProcessStartedAt();
    private readonly Lock _writeGate = new();
    private readonly DataFolderUsage? _dataUsage;
    private IDisposable? _subscription;
    private ITimer? _pending;
    private ITimer? _refresh;
    private int _scheduled;
    private bool _disposed;

    public HostStatusPublisher(string dataFolder, string rolesFolder, RoleLifecycle lifecycle, UnloadVerifier verifier, TimeProvider clock, ILogger<HostStatusPublisher> log, DataFolderUsage? dataUsage = null)
    {
        _dataUsage = dataUsage;
        _clock = clock;
        _dataFolder = dataFolder;
        _rolesFolder = rolesFolder;
        _lifecycle = lifecycle;
        _verifier = verifier;
        _log = log;
    }

    public void Start()
    {
        // Unload verdicts reach the lifecycle's stream too (Unloaded / Leaked), so one stream is enough.
        // A change schedules one write an interval later, which takes in every change until then; no
        // timer ticks while nothing changes (an idle host is not woken for nothing). Data files grow
        // without any generation changing: their sizes are refreshed on a slow tick too.
        _pending = _clock.CreateTimer(static state => ((HostStatusPublisher)state!).WriteScheduled(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _refresh = _clock.CreateTimer(static state => ((HostStatusPublisher)state!).Schedule(), this, DataRefresh, DataRefresh);
        _subscription = _lifecycle.Changes.Subscribe(_ => Schedule());
        Write();
    }

    /// <summary>The status as it would be written now.</summary>
    public HostStatus Snapshot()
    {
        var roles = _lifecycle.Status.Select(s => new HostRoleStatus(
            s.Path,
            s.Name,
            s.State.ToString().ToLowerInvariant(),
            s.Generation,
            s.LoadedAt,
            [.. s.LastErrors.Select(e => e.ToString())],
            (s.State == RoleState.Active || (s.State is RoleState.Quarantined or RoleState.Failed && s.Generation > 0) ? 1 : 0) + _verifier.AliveFor(s.Path),
            _verifier.LeakedFor(s.Path),
            s.Plugin));
        return new HostStatus(Environment.ProcessId, _processStartedAt, _clock.GetUtcNow(), _rolesFolder, [.. roles], _verifier.Unloaded, _verifier.Leaked, _dataUsage?.Files);
    }

    public void Dispose()
    {
        _subscription?.Dispose();
        _refresh?.Dispose();
        _pending?.Dispose();
        lock (_writeGate)
        {
            _disposed = true;
            try
            {
                HostStatusFile.Delete(_dataFolder);
            }
            catch (IOException ex)
            {
                _log.LogWarning("Cannot remove the status file: {Message}", ex.Message);
            }
        }
    }

    private void Schedule()
    {
        if (Interlocked.Exchange(ref _scheduled, 1) == 0)
        {
            _pending?.Change(Interval, Timeout.InfiniteTimeSpan);
        }
    }

    private void WriteScheduled()
    {
        // Cleared first: a change from now on schedules the next write.
        Volatile.Write(ref _scheduled, 0);
        Write();
    }

    private void Write()
    {
        lock (_writeGate)
        {
            if (_disposed)
            {
                return;
            }

            try
            {
                HostStatusFile.Write(_dataFolder, Snapshot());
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                _log.LogWarning("Cannot write the status file in {Folder}: {Message}", _dataFolder, ex.Message);
            }
        }
    }
}
