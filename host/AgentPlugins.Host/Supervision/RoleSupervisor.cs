using System.Globalization;
using System.Reactive.Linq;
using AgentPlugins.Host.Loop;
using AgentPlugins.Host.Roles;
using Microsoft.Extensions.Logging;

namespace AgentPlugins.Host.Supervision;

/// <summary>
/// Keeps a misbehaving role from taking the service down for long. Off the loop, it answers the
/// watchdog: a quarantined generation is shown quarantined at once and kept in the quarantine list;
/// a call past the hard limit is recorded and ends the process with <see cref="ExitCodes.RoleStuck"/>
/// for the supervisor to restart. At start it reads the crash journal: a previous run that died inside
/// a role call quarantines that role file until its content changes or it is released.
/// </summary>
internal sealed class RoleSupervisor : IDisposable
{
    private readonly string _dataFolder;
    private readonly LoopOptions _options;
    private readonly EventLoop _loop;
    private readonly RoleLifecycle _lifecycle;
    private readonly TimeProvider _clock;
    private readonly ILogger _log;
    private CrashJournal? _journal;
    private QuarantineStore? _store;
    private IDisposable? _following;

    public RoleSupervisor(string dataFolder, LoopOptions options, EventLoop loop, RoleLifecycle lifecycle, TimeProvider clock, ILogger<RoleSupervisor> log)
    {
        _dataFolder = dataFolder;
        _options = options;
        _loop = loop;
        _lifecycle = lifecycle;
        _clock = clock;
        _log = log;
    }

    /// <summary>Ends the process (exit code, fatal line). Null in-process (tests): the fatal line is only logged.</summary>
    public Action<int, string>? FailFast { get; set; }

    /// <summary>Told of each quarantine and of the fatal stop, for systemd's STATUS line.</summary>
    public Action<string>? Status { get; set; }

    /// <summary>The quarantine list, once opened.</summary>
    public QuarantineStore Store => _store ?? throw new InvalidOperationException("The supervisor is not open.");

    /// <summary>The role call the previous run died in, if it did.</summary>
    public CrashRecord? PreviousCrash => _journal?.Previous;

    /// <summary>Reads the crash journal and the quarantine list and starts watching; before any role loads.</summary>
    public void Open()
    {
        _store = QuarantineStore.Open(_dataFolder);
        var marks = _loop.Watchdog.Marks;
        _journal = CrashJournal.Open(_dataFolder, _options.CrashJournal ? marks : new CallMarks());
        if (_journal.Previous is { } crash)
        {
            _log.LogError(
                "The previous run ended inside role {Role} handler {Handler} ({Path}); the role is quarantined until its file changes.",
                crash.DisplayName,
                crash.Handler,
                crash.Path);
            if (crash.Path.Length > 0)
            {
                _store.Add(new QuarantineEntry(crash.Path, crash.DisplayName, crash.ContentHash, crash.Reason, _clock.GetUtcNow()));
            }
        }

        _loop.Watchdog.Quarantined += OnQuarantined;
        _loop.Watchdog.Stuck += OnStuck;
        _loop.Watchdog.Guards = _lifecycle.GuardOf;
        _lifecycle.HeldBack = HeldBack;
        _following = _lifecycle.Changes.Where(change => change.State == GenerationState.Serving).Subscribe(OnServing);
    }

    /// <summary>The role name and reason that keep <paramref name="path"/> with <paramref name="contentHash"/> out, or null.</summary>
    public (string Name, string Reason)? HeldBack(string path, string contentHash) =>
        _store?.Find(path, contentHash) is { } entry ? (entry.Role, entry.Reason) : null;

    /// <summary>Lets the role files of <paramref name="name"/> out of quarantine; returns their paths (empty when none was quarantined).</summary>
    public IReadOnlyList<string> Release(string name)
    {
        var released = new List<string>();
        foreach (var entry in Store.Named(name))
        {
            if (Store.Remove(entry.Path))
            {
                released.Add(entry.Path);
            }
        }

        // A quarantine of this run (soft limit, budget) is in the status too, even before it reached the list.
        foreach (var status in _lifecycle.Status.Where(s => s.State == RoleState.Quarantined && Matches(s, name) && !released.Contains(s.Path)))
        {
            released.Add(status.Path);
        }

        return released;
    }

    /// <summary>Ends the journal when the loop thread has ended; a loop still stuck keeps its mark for the next start.</summary>
    public void Dispose()
    {
        _loop.Watchdog.Quarantined -= OnQuarantined;
        _loop.Watchdog.Stuck -= OnStuck;
        _following?.Dispose();
        if (_loop.Stopped.IsCompleted || _loop.ThreadId is null)
        {
            _journal?.Dispose();
        }
        else
        {
            _journal?.Flush();
        }
    }

    private static bool Matches(RoleStatus status, string name) =>
        string.Equals(status.Name, name, StringComparison.OrdinalIgnoreCase)
        || string.Equals(Path.GetFileNameWithoutExtension(status.Path), name, StringComparison.OrdinalIgnoreCase)
        || string.Equals(Path.GetFileName(status.Path), name, StringComparison.OrdinalIgnoreCase);

    // Off the loop, often while the loop is still stuck in the culprit's call.
    private void OnQuarantined(RoleCall call, string reason)
    {
        var guard = call.Guard;
        if (guard.Generation == 0)
        {
            _lifecycle.QuarantineLoading(guard, reason);
        }
        else
        {
            _lifecycle.Quarantine(guard.Role, reason);
        }

        try
        {
            _store?.Add(new QuarantineEntry(guard.Path, guard.DisplayName, guard.ContentHash, reason, _clock.GetUtcNow()));
        }
        catch (IOException ex)
        {
            _log.LogWarning("Cannot keep the quarantine of {Role} in {Folder}: {Message}", guard.DisplayName, _dataFolder, ex.Message);
        }

        Status?.Invoke($"Role {guard.DisplayName} quarantined: {reason}");
    }

    private void OnStuck(RoleCall call, TimeSpan elapsed)
    {
        var guard = call.Guard;
        _journal?.Flush();
        var line = string.Create(
            CultureInfo.InvariantCulture,
            $"crit: Role {guard.DisplayName} generation {guard.Generation} handler {call.Handler} ({guard.Path}, content {guard.ContentHash}) has held the loop for {elapsed.TotalMilliseconds:F0} ms, past loop:hardLimit ({_options.EffectiveHardLimit.TotalMilliseconds:F0} ms); exiting with code {ExitCodes.RoleStuck} to be restarted without it. The file and line it was stuck at cannot be read from inside the process.");
        Status?.Invoke($"Exiting: role {guard.DisplayName} handler {call.Handler} is stuck.");
        if (FailFast is { } exit)
        {
            exit(ExitCodes.RoleStuck, line);
            return;
        }

        _log.LogCritical("{Line}", line);
    }

    // A file that serves again (other content, or released) is no longer the one quarantined.
    private void OnServing(GenerationChanged change)
    {
        if (_store is { } store && store.Entries.Any(e => e.Path == change.Path) && store.Remove(change.Path))
        {
            _log.LogInformation("{Path} serves again; its quarantine is lifted.", change.Path);
        }
    }
}
