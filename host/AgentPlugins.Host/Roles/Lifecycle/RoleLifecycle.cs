using System.Diagnostics;
using System.Globalization;
using System.Reactive.Subjects;
using AgentPlugins.Host.Bus;
using AgentPlugins.Host.Compilation;
using AgentPlugins.Host.Intents;
using AgentPlugins.Host.Loop;
using AgentPlugins.Host.Roles.Unloading;
using AgentPlugins.Sdk;
using Microsoft.Extensions.Logging;
using Microsoft.SemanticKernel;

namespace AgentPlugins.Host.Roles;

/// <summary>
/// The one owner of role generations. <see cref="ApplyAsync(RoleFile, CancellationToken)"/> takes a role file (read once) from
/// compile (off the loop, through the compile cache) to serving (on the loop, between two events);
/// <see cref="RetireAsync"/> and <see cref="Quarantine"/> take a role out of service. Each returns
/// what it did; every step of every generation is told once on <see cref="Changes"/>. Nothing else
/// decides whether a generation serves.
/// </summary>
/// <remarks>
/// A swap happens inside one piece of loop work, so each event reaches the old generation or the new
/// one, never both and never neither. If the old one still has intent handlers running, it drains
/// (up to the drain timeout) while the new one keeps its events in order, so two generations of a
/// role never run interleaved.
/// </remarks>
internal sealed class RoleLifecycle : IDisposable
{
    private readonly CompileCache _compiler;
    private readonly RoleInstantiator _instantiator;
    private readonly EventLoop _loop;
    private readonly MessageBus _bus;
    private readonly IntentProcessor _intents;
    private readonly IntentServices _services;
    private readonly TimeProvider _clock;
    private readonly TimeSpan _drainTimeout;
    private readonly ILogger _log;
    private readonly Subject<GenerationChanged> _subject = new();

    // The compile of the file being activated (on the loop), for the changes it causes.
    private CompileTimings? _activating;
    private readonly ISubject<GenerationChanged> _changes;
    private readonly Lock _statusGate = new();

    // Owned by the loop.
    private readonly Dictionary<string, RoleGeneration> _current = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _numbers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RoleFile> _waitingForName = new(StringComparer.Ordinal);
    private Dictionary<string, KernelPlugin> _tools = new(StringComparer.OrdinalIgnoreCase);
    private volatile RoleGeneration[] _currentSnapshot = [];

    // Written under _statusGate (quarantine may come from the watchdog's thread); read from anywhere.
    private readonly Dictionary<string, RoleStatus> _status = new(StringComparer.Ordinal);
    private volatile RoleStatus[] _statusSnapshot = [];

    public RoleLifecycle(
        CompileCache compiler,
        RoleInstantiator instantiator,
        EventLoop loop,
        MessageBus bus,
        IntentProcessor intents,
        IntentServices services,
        LoadActivity activity,
        TimeProvider clock,
        ILogger<RoleLifecycle> log,
        TimeSpan? drainTimeout = null)
    {
        _compiler = compiler;
        _instantiator = instantiator;
        _loop = loop;
        _bus = bus;
        _intents = intents;
        _services = services;
        Activity = activity;
        _clock = clock;
        _log = log;
        _drainTimeout = drainTimeout ?? TimeSpan.FromSeconds(5);

        // Steps come from the loop and from the unload verifier's thread; Rx subjects take one caller at a time.
        _changes = Subject.Synchronize(_subject);
    }

    /// <summary>Every step of every generation, as it happens (on the thread that made it; keep observers quick).</summary>
    public IObservable<GenerationChanged> Changes => _changes;

    /// <summary>Whether a load is running now (the unload verifier waits for quiet moments).</summary>
    public LoadActivity Activity { get; }

    /// <summary>The tools of each serving role, by role name. A snapshot: it never changes under a reader.</summary>
    public IReadOnlyDictionary<string, KernelPlugin> Tools => _tools;

    /// <summary>The generations that serve now, one per role. Read on the loop.</summary>
    public IEnumerable<RoleGeneration> Serving => _current.Values.Where(g => g.State == GenerationState.Serving);

    /// <summary>
    /// The role name and reason that keep a file's content (path, content hash) out of service after an
    /// earlier quarantine (the supervision's list), or null when it may load. Asked on the loop before the role's code runs.
    /// </summary>
    public Func<string, string, (string Name, string Reason)?>? HeldBack { get; set; }

    /// <summary>The message that says how a quarantine ends: what the reloader and the release command do.</summary>
    public static string HowToRelease(string name) => $"Change its file, or run `host roles --release {name}`, to load it again.";

    /// <summary>The guard of the generation serving <paramref name="role"/>, from any thread (tools and hooks are called by role name).</summary>
    public GenerationGuard? GuardOf(string role)
    {
        // A loop, not LINQ: every tool call and intent handler asks, on the loop.
        foreach (var generation in _currentSnapshot)
        {
            if (generation.State == GenerationState.Serving && string.Equals(generation.Name, role, StringComparison.OrdinalIgnoreCase))
            {
                return generation.Guard;
            }
        }

        return null;
    }

    /// <summary>Every role file's status, by path. A snapshot, safe to read from any thread.</summary>
    public IReadOnlyList<RoleStatus> Status => _statusSnapshot;

    /// <summary>The status of <paramref name="path"/>, if the host has seen it.</summary>
    public RoleStatus? StatusOf(string path) => _statusSnapshot.FirstOrDefault(s => s.Path == path);

    /// <summary>Applies several files at once (start-up): compiled in parallel off the loop, put in service in path order.</summary>
    public async Task<IReadOnlyList<ApplyOutcome>> ApplyAllAsync(IReadOnlyList<RoleFile> files, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(files);
        using var busy = Activity.Enter();
        var compiled = new CompiledRole[files.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, files.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken },
            (index, token) =>
            {
                compiled[index] = Compile(files[index], token);
                return ValueTask.CompletedTask;
            }).ConfigureAwait(false);

        return await _loop.InvokeAsync(
            () => Task.FromResult<IReadOnlyList<ApplyOutcome>>([.. files.Select((file, i) => Activate(file, compiled[i]))]),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Loads <paramref name="file"/> in place of what its path serves. Content that already serves (or
    /// already failed) changes nothing; a quarantined role comes back only with new content.
    /// </summary>
    public Task<ApplyOutcome> ApplyAsync(RoleFile file, CancellationToken cancellationToken = default) =>
        ApplyAsync(file, null, cancellationToken);

    /// <summary><see cref="ApplyAsync(RoleFile, CancellationToken)"/>, noting when each stage ended in <paramref name="timings"/>.</summary>
    public async Task<ApplyOutcome> ApplyAsync(RoleFile file, LoadTimings? timings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (StatusOf(file.Path) is { } status && status.State != RoleState.Retired && status.ContentHash == file.Hash)
        {
            return status.State == RoleState.Quarantined
                ? new ApplyOutcome.Refused(file.Path, RefusalReason.Quarantined, status.LastErrors)
                : new ApplyOutcome.Unchanged(file.Path);
        }

        return await LoadAsync(file, cancellationToken, timings).ConfigureAwait(false);
    }

    /// <summary>
    /// Loads <paramref name="file"/> even when its content is what already serves or is quarantined:
    /// an explicit reload (it lifts a quarantine).
    /// </summary>
    public Task<ApplyOutcome> ReloadAsync(RoleFile file, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(file);
        return LoadAsync(file, cancellationToken);
    }

    // Compile off the loop, swap on it, whatever the status says.
    private async Task<ApplyOutcome> LoadAsync(RoleFile file, CancellationToken cancellationToken, LoadTimings? timings = null)
    {
        using var busy = Activity.Enter();
        var started = Stopwatch.GetTimestamp();
        var compiled = await Task.Run(() => Compile(file, cancellationToken), cancellationToken).ConfigureAwait(false);
        var compiledAt = Stopwatch.GetTimestamp();
        timings?.Compile = compiled.Timings;
        var outcome = await _loop.InvokeAsync(
            () =>
            {
                timings?.OnLoop = Stopwatch.GetTimestamp();
                var activated = Activate(file, compiled, timings);
                timings?.Swapped = Stopwatch.GetTimestamp();
                return Task.FromResult(activated);
            },
            cancellationToken).ConfigureAwait(false);
        Telemetry.HostMetrics.ReloadDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        _log.LogDebug(
            "{Path}: compiled in {Compile:F1} ms, swapped in {Swap:F1} ms.",
            file.Path,
            Stopwatch.GetElapsedTime(started, compiledAt).TotalMilliseconds,
            Stopwatch.GetElapsedTime(compiledAt).TotalMilliseconds);
        return outcome;
    }

    /// <summary>
    /// Puts every role of one build of a compiled plugin in service in one piece of loop work, in
    /// place of what that plugin served: each event reaches the old build or the new one. If any of
    /// its roles fails (its constructor, config, <c>Register</c>, tools, name, intents), none swaps:
    /// the old build keeps serving and every role of the plugin says why. Roles the new build no
    /// longer has are retired. A build whose content already serves changes nothing.
    /// </summary>
    public async Task<IReadOnlyList<ApplyOutcome>> ApplyPluginAsync(PluginRoles plugin, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plugin);
        using var busy = Activity.Enter();
        var started = Stopwatch.GetTimestamp();
        var outcomes = await _loop.InvokeAsync(() => Task.FromResult<IReadOnlyList<ApplyOutcome>>(ActivatePlugin(plugin)), cancellationToken).ConfigureAwait(false);
        Telemetry.HostMetrics.ReloadDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return outcomes;
    }

    /// <summary>Whether the build <paramref name="contentHash"/> of <paramref name="plugin"/> is what its roles already serve (or already failed with).</summary>
    public bool IsCurrent(string plugin, string contentHash)
    {
        var statuses = _statusSnapshot.Where(s => PluginRoles.PluginOf(s.Path) == plugin || s.Path == plugin).ToList();
        return statuses.Count > 0 && statuses.All(s => s.State != RoleState.Retired && s.ContentHash == contentHash);
    }

    /// <summary>Records that a build of <paramref name="plugin"/> could not be loaded at all; whatever it served keeps serving.</summary>
    public Task<IReadOnlyList<ApplyOutcome>> RefusePluginAsync(string plugin, string contentHash, IReadOnlyList<RoleDiagnostic> errors, CancellationToken cancellationToken = default) =>
        _loop.InvokeAsync(() => Task.FromResult<IReadOnlyList<ApplyOutcome>>(KeepOldPlugin(plugin, contentHash, errors, [])), cancellationToken);

    /// <summary>Takes every role of <paramref name="plugin"/> out of service (it was deleted or disabled); files waiting for their names get their turn.</summary>
    public async Task<IReadOnlyList<RetireOutcome>> RetirePluginAsync(string plugin, CancellationToken cancellationToken = default)
    {
        var (outcomes, waiting) = await _loop.InvokeAsync(
            () =>
            {
                var keys = _status.Keys.Where(k => PluginRoles.PluginOf(k) == plugin || k == plugin).ToList();
                var retired = keys.Select(Retire).ToList();
                return Task.FromResult<(List<RetireOutcome>, List<RoleFile>)>(([.. retired.Select(r => r.Outcome)], [.. retired.Select(r => r.Waiting).OfType<RoleFile>()]));
            },
            cancellationToken).ConfigureAwait(false);
        foreach (var file in waiting)
        {
            await LoadAsync(file, cancellationToken).ConfigureAwait(false);
        }

        return outcomes;
    }

    // On the loop: all of a plugin's roles are created and checked first; only if all pass do they swap, together.
    private List<ApplyOutcome> ActivatePlugin(PluginRoles plugin)
    {
        var keys = plugin.RoleTypes.Select(t => PluginRoles.KeyOf(plugin.Plugin, t)).ToList();
        if (keys.Select(k => HeldBack?.Invoke(k, plugin.ContentHash)).OfType<(string Name, string Reason)>().FirstOrDefault() is { Name: not null } held)
        {
            _instantiator.Discard(plugin.Plugin, plugin.Context, plugin.Image);
            return KeepOldPlugin(plugin.Plugin, plugin.ContentHash, [RoleDiagnostic.Error(plugin.Plugin, LoadCodes.Quarantined, $"{held.Reason} {HowToRelease(held.Name)}")], keys);
        }

        var created = new List<RoleGeneration>();
        var errors = new List<RoleDiagnostic>();
        if (plugin.RoleTypes.Count == 0)
        {
            errors.Add(RoleDiagnostic.Error(plugin.Plugin, LoadCodes.NoRole, "The plugin has no public class implementing IRole."));
        }

        var loading = new GenerationGuard(string.Empty, plugin.Plugin, plugin.ContentHash);
        _loop.Watchdog.Enter(loading.Call("load"));
        try
        {
            foreach (var type in plugin.RoleTypes)
            {
                created.Add(_instantiator.InstantiatePluginRole(type, plugin.Context, PluginRoles.KeyOf(plugin.Plugin, type), plugin.ContentHash, plugin.Plugin, plugin.Settings, plugin.Image));
            }
        }
        catch (RoleLoadFailedException ex)
        {
            errors.AddRange(ex.Diagnostics);
        }
        finally
        {
            _loop.Watchdog.Exit();
        }

        if (loading.IsQuarantined)
        {
            errors.Add(RoleDiagnostic.Error(plugin.Plugin, LoadCodes.Quarantined, loading.Quarantined.Result));
        }

        foreach (var generation in created)
        {
            if (created.FirstOrDefault(g => g != generation && g.Name == generation.Name) is { } twin)
            {
                errors.Add(RoleDiagnostic.Error(generation.Path, LoadCodes.DuplicateName, $"Role name '{generation.Name}' is used by both {generation.Path} and {twin.Path}; role names are unique."));
            }
            else if (_current.Values.FirstOrDefault(g => g.Name == generation.Name && g.Plugin != plugin.Plugin && !SourceGone(g)) is { } clash)
            {
                errors.Add(RoleDiagnostic.Error(generation.Path, LoadCodes.DuplicateName, $"Role name '{generation.Name}' is already used by {clash.Path}; role names are unique."));
            }
            else if (RouteRefusal(generation) is { } refusal)
            {
                errors.Add(RoleDiagnostic.Error(generation.Path, LoadCodes.HostIntentType, refusal));
            }
        }

        if (errors.Count > 0)
        {
            foreach (var generation in created)
            {
                generation.MoveTo(GenerationState.Refused);
                Publish(generation, GenerationState.Refused, errors);
                Withdraw(generation);
            }

            if (created.Count == 0)
            {
                _instantiator.Discard(plugin.Plugin, plugin.Context, plugin.Image);
            }

            return KeepOldPlugin(plugin.Plugin, plugin.ContentHash, errors, keys);
        }

        // A failed build of this plugin recorded under the plugin's own path (it never loaded) is over.
        RemoveStatus(plugin.Plugin);
        var outcomes = created.Select(g => Serve(new RoleFile(g.Path, string.Empty, plugin.ContentHash), g)).ToList();
        foreach (var gone in _current.Values.Where(g => g.Plugin == plugin.Plugin && !keys.Contains(g.Path)).Select(g => g.Path).ToList())
        {
            Retire(gone);
        }

        return outcomes;
    }

    // Every role of a plugin (those it serves, and those the refused build has) keeps what it served and says why.
    private List<ApplyOutcome> KeepOldPlugin(string plugin, string contentHash, IReadOnlyList<RoleDiagnostic> errors, IReadOnlyList<string> keys)
    {
        var all = keys.Concat(_current.Values.Where(g => g.Plugin == plugin).Select(g => g.Path)).Distinct(StringComparer.Ordinal).ToList();
        if (all.Count == 0)
        {
            all.Add(plugin);
        }

        return [.. all.Select(key =>
        {
            var own = errors.Where(e => e.Path == key || e.Path == plugin).ToList();
            IReadOnlyList<RoleDiagnostic> why = own.Count > 0
                ? own
                : [RoleDiagnostic.Error(key, LoadCodes.PluginTogether, $"Not swapped: the plugin's roles swap together, and this build failed ({string.Join(" ", errors.Select(e => e.Message))})")];
            return (ApplyOutcome)KeepOld(new RoleFile(key, string.Empty, contentHash), why);
        })];
    }

    // A role whose source is gone (file deleted, plugin removed) gives its name up to a new one.
    private static bool SourceGone(RoleGeneration generation) =>
        generation.Plugin is { } plugin ? !File.Exists(plugin) && !Directory.Exists(plugin) : !File.Exists(generation.Path);

    /// <summary>Records that <paramref name="path"/> cannot be a role (unreadable, binary, a pipe, ...); whatever served keeps serving.</summary>
    public Task<ApplyOutcome> RefuseAsync(string path, RoleDiagnostic problem, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(problem);

        // The problem stands for the content: the same problem again (a rescan) changes nothing.
        var file = new RoleFile(System.IO.Path.GetFullPath(path), string.Empty, RoleFile.HashOf($"{problem.Code}:{problem.Message}"));
        if (StatusOf(file.Path) is { State: RoleState.Failed } status && status.ContentHash == file.Hash)
        {
            return Task.FromResult<ApplyOutcome>(new ApplyOutcome.Unchanged(file.Path));
        }

        return _loop.InvokeAsync(() => Task.FromResult<ApplyOutcome>(KeepOld(file, [problem])), cancellationToken);
    }

    /// <summary>
    /// Takes the role of <paramref name="path"/> out of service (its file was deleted or moved away).
    /// A file refused because this role held its name then gets its turn.
    /// </summary>
    public async Task<RetireOutcome> RetireAsync(string path, CancellationToken cancellationToken = default)
    {
        path = System.IO.Path.GetFullPath(path);
        var (outcome, waiting) = await _loop.InvokeAsync(() => Task.FromResult(Retire(path)), cancellationToken).ConfigureAwait(false);
        if (waiting is null)
        {
            return outcome;
        }

        var next = await LoadAsync(waiting, cancellationToken).ConfigureAwait(false);
        return next is ApplyOutcome.Loaded ? outcome with { TakenOverBy = waiting.Path } : outcome;
    }

    /// <summary>
    /// Silences the serving generation of <paramref name="role"/> at once, from any thread: the bus
    /// and the intent processor skip it from the next call on, and the status says so. Taking it out
    /// of the tables happens on the loop when the loop is free. It stays silent until its file changes.
    /// </summary>
    public QuarantineOutcome Quarantine(string role, string reason)
    {
        var generation = _currentSnapshot.FirstOrDefault(g => g.Name == role && g.State == GenerationState.Serving);
        if (generation is null || !generation.MoveTo(GenerationState.Quarantined))
        {
            return new QuarantineOutcome(role, null);
        }

        // The flag the loop checks before each call and each continuation of this generation.
        generation.Guard.TryQuarantine(reason);
        IReadOnlyList<RoleDiagnostic> why = [RoleDiagnostic.Error(generation.Path, LoadCodes.Quarantined, $"{reason} {HowToRelease(role)}")];
        UpdateStatus(generation.Path, status => status with { State = RoleState.Quarantined, LastErrors = why });
        _log.LogWarning("Role {Role} generation {Generation} is quarantined: {Reason}", role, generation.Number, reason);
        Publish(generation, GenerationState.Quarantined, why);
        _loop.Continue(new CallbackWork(_ => Unlist(generation), null));
        return new QuarantineOutcome(role, generation.Number);
    }

    /// <summary>
    /// Says at once, from any thread, that the file <paramref name="guard"/> was loading (constructor,
    /// <c>Config</c>, <c>Register</c>) is quarantined; the generation before it, if one serves, goes on.
    /// </summary>
    public void QuarantineLoading(GenerationGuard guard, string reason)
    {
        ArgumentNullException.ThrowIfNull(guard);
        var serving = _currentSnapshot.FirstOrDefault(g => g.Path == guard.Path && g.State == GenerationState.Serving);
        var name = serving?.Name ?? guard.DisplayName;
        IReadOnlyList<RoleDiagnostic> why = [RoleDiagnostic.Error(guard.Path, LoadCodes.Quarantined, $"{reason} {HowToRelease(name)}")];
        UpdateStatus(guard.Path, status => serving is null
            ? status with { Name = status.Name ?? name, State = RoleState.Quarantined, LastErrors = why, ContentHash = guard.ContentHash }
            : status with { State = RoleState.Failed, LastErrors = why, ContentHash = guard.ContentHash });
        _log.LogWarning("{Path}: loading is quarantined: {Reason}", guard.Path, reason);
        Changed(new GenerationChanged(guard.Path, serving?.Name ?? name, 0, GenerationState.Quarantined, why));
    }

    /// <summary>The unload verifier's verdict on a withdrawn generation.</summary>
    public void Verified(UnloadVerdict verdict)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        var state = verdict.Outcome == UnloadOutcome.Unloaded ? GenerationState.Unloaded : GenerationState.Leaked;
        IReadOnlyList<RoleDiagnostic> cause = verdict.LikelyCause is { } likely
            ? [RoleDiagnostic.Warning(verdict.Path, LoadCodes.Leaked, likely)]
            : [];
        Changed(new GenerationChanged(verdict.Path, verdict.Role, verdict.Generation, state, cause));
    }

    public void Dispose() => _subject.Dispose();

    // Off the loop.
    private CompiledRole Compile(RoleFile file, CancellationToken cancellationToken)
    {
        var compiled = _compiler.Compile(file, cancellationToken);
        foreach (var warning in compiled.Diagnostics.Where(d => !d.IsError))
        {
            _log.LogWarning("{Diagnostic}", warning.ToString());
        }

        return compiled;
    }

    // On the loop: role code (constructor, Config, Register) runs here like all role code, marked in
    // the crash journal and timed by the watchdog like any role call, so a file whose load hangs or
    // crashes the host is the one kept out after the restart.
    private ApplyOutcome Activate(RoleFile file, CompiledRole compiled, LoadTimings? timings = null)
    {
        _activating = compiled.Timings;
        try
        {
            return ActivateCompiled(file, compiled, timings);
        }
        finally
        {
            _activating = null;
        }
    }

    private ApplyOutcome ActivateCompiled(RoleFile file, CompiledRole compiled, LoadTimings? timings)
    {
        if (compiled.Succeeded && HeldBack?.Invoke(file.Path, file.Hash) is { } held)
        {
            return HoldBack(file, held.Name, held.Reason);
        }

        RoleGeneration generation;
        var loading = new GenerationGuard(string.Empty, file.Path, file.Hash);
        _loop.Watchdog.Enter(loading.Call("load"));
        try
        {
            generation = _instantiator.Instantiate(compiled);
            timings?.Loaded = Stopwatch.GetTimestamp();
        }
        catch (RoleLoadFailedException ex)
        {
            return KeepOld(file, ex.Diagnostics);
        }
        finally
        {
            _loop.Watchdog.Exit();
        }

        if (loading.IsQuarantined)
        {
            // It came back, but only after the watchdog gave up on it; its status says why already.
            IReadOnlyList<RoleDiagnostic> late = [RoleDiagnostic.Error(file.Path, LoadCodes.Quarantined, loading.Quarantined.Result)];
            generation.MoveTo(GenerationState.Refused);
            Publish(generation, GenerationState.Refused, late);
            Withdraw(generation);
            return new ApplyOutcome.Refused(file.Path, RefusalReason.Quarantined, late);
        }

        return Serve(file, generation);
    }

    // On the loop: a generation that loaded takes over its key, unless its name is taken or it handles an intent it may not.
    private ApplyOutcome Serve(RoleFile file, RoleGeneration generation)
    {
        var clash = _current.Values.FirstOrDefault(g => g.Name == generation.Name && g.Path != generation.Path);
        if (clash is not null && SourceGone(clash))
        {
            // A rename whose new name arrived before the old one's deletion: one move, not a clash.
            _log.LogInformation("{Path} takes over role {Role} from {Old}, which is gone.", file.Path, generation.Name, clash.Path);
            Retire(clash.Path);
            clash = null;
        }

        if (clash is not null)
        {
            _waitingForName[file.Path] = file;
            return Refuse(generation, file, RefusalReason.NameTaken, $"Role name '{generation.Name}' is already used by {clash.Path}; role names are unique. This file takes over if that one goes.");
        }

        _waitingForName.Remove(file.Path);
        _current.TryGetValue(generation.Path, out var previous);
        if (!Enlist(generation, out var refusal))
        {
            return KeepOld(file, [RoleDiagnostic.Error(file.Path, LoadCodes.HostIntentType, refusal!)], generation);
        }

        // Old out, new in, inside this one piece of loop work: no event runs in between.
        if (previous is not null)
        {
            Unlist(previous);
        }

        // Numbered per role name, so a role moved to another file goes on counting where it was.
        generation.Number = _numbers[generation.Name] = _numbers.GetValueOrDefault(generation.Name) + 1;
        generation.LoadedAt = _clock.GetUtcNow();
        generation.MoveTo(GenerationState.Serving);
        // A quarantined generation's continuations are dropped, so its running work never ends: nothing to wait for.
        if (previous is not null && previous.State != GenerationState.Quarantined && (previous.InFlight > 0 || previous.Subscriber.IsHeld))
        {
            // The old generation is still finishing (or itself still waiting for the one before):
            // the new one keeps its events, after any the old one kept, until that work is done.
            generation.Subscriber.Hold(previous.Subscriber.TakeHeld());
            generation.Serving = _bus.ReleaseWhen(generation.Subscriber, Task.WhenAll(previous.DrainAsync(_drainTimeout), previous.Serving));
            _log.LogInformation("Role {Role} generation {Generation} waits for {Running} running intent handler(s) of generation {Previous}.", generation.Name, generation.Number, previous.InFlight, previous.Number);
        }

        _current[generation.Path] = generation;
        _currentSnapshot = [.. _current.Values];
        SetStatus(new RoleStatus(generation.Path, generation.Name, RoleState.Active, generation.Number, generation.LoadedAt, [], generation.ContentHash));
        _log.LogInformation("Role {Role} {Version} generation {Generation} serving ({Path}).", generation.Name, generation.Config.Version, generation.Number, generation.Path);
        Publish(generation, GenerationState.Serving, []);
        _bus.TryPublish(new BusEvent(Events.RoleLoaded, Data(generation)), EventOrigin.Host);
        if (previous is not null)
        {
            Withdraw(previous);
        }

        return new ApplyOutcome.Loaded(generation.Path, generation.Name, generation.Number);
    }

    private (RetireOutcome Outcome, RoleFile? Waiting) Retire(string path)
    {
        _waitingForName.Remove(path);
        if (!_current.Remove(path, out var generation))
        {
            if (RemoveStatus(path))
            {
                Changed(new GenerationChanged(path, null, 0, GenerationState.Withdrawn, []));
            }

            return (new RetireOutcome(path, null), null);
        }

        _currentSnapshot = [.. _current.Values];
        Unlist(generation);
        if (generation.Subscriber.TakeHeld() is { Count: > 0 } dropped)
        {
            _log.LogInformation("Role {Role} retired while waiting; {Count} event(s) kept for it are dropped.", generation.Name, dropped.Count);
        }

        SetStatus(new RoleStatus(path, generation.Name, RoleState.Retired, generation.Number, generation.LoadedAt, [], generation.ContentHash));
        _log.LogInformation("Role {Role} generation {Generation} retired.", generation.Name, generation.Number);
        Withdraw(generation);

        var waiting = _waitingForName.Values.Where(f => StatusOf(f.Path)?.Name == generation.Name).OrderBy(f => f.Path, StringComparer.Ordinal).FirstOrDefault();
        return (new RetireOutcome(path, generation.Name), waiting);
    }

    // A file kept out by an earlier quarantine (crash journal, hard limit, an earlier run's watchdog): its code does not run.
    private ApplyOutcome HoldBack(RoleFile file, string name, string reason)
    {
        IReadOnlyList<RoleDiagnostic> why = [RoleDiagnostic.Error(file.Path, LoadCodes.Quarantined, $"{reason} {HowToRelease(name)}")];
        if (_current.TryGetValue(file.Path, out var serving) && serving.State == GenerationState.Serving)
        {
            return KeepOld(file, why);
        }

        var previous = StatusOf(file.Path);
        SetStatus(new RoleStatus(file.Path, previous?.Name ?? name, RoleState.Quarantined, previous?.Generation ?? 0, previous?.LoadedAt, why, file.Hash));
        _log.LogError("Role {Role} ({Path}) is quarantined: {Reason}", name, file.Path, reason);
        Changed(new GenerationChanged(file.Path, name, 0, GenerationState.Quarantined, why));
        return new ApplyOutcome.Refused(file.Path, RefusalReason.Quarantined, why);
    }

    // Records a failed load; whatever served before goes on serving.
    private ApplyOutcome.KeptOld KeepOld(RoleFile file, IReadOnlyList<RoleDiagnostic> errors, RoleGeneration? refused = null)
    {
        _current.TryGetValue(file.Path, out var serving);
        var previous = StatusOf(file.Path);
        SetStatus(new RoleStatus(file.Path, serving?.Name ?? previous?.Name, RoleState.Failed, serving?.Number ?? previous?.Generation ?? 0, serving?.LoadedAt ?? previous?.LoadedAt, errors, file.Hash));
        foreach (var error in errors)
        {
            _log.LogError("{Diagnostic}", error.ToString());
        }

        if (refused is not null)
        {
            refused.MoveTo(GenerationState.Refused);
            Publish(refused, GenerationState.Refused, errors);
            Withdraw(refused);
        }
        else
        {
            Changed(new GenerationChanged(file.Path, serving?.Name ?? previous?.Name, 0, GenerationState.Refused, errors));
        }

        return new ApplyOutcome.KeptOld(file.Path, errors, serving?.State == GenerationState.Serving ? serving.Number : null);
    }

    private ApplyOutcome.Refused Refuse(RoleGeneration generation, RoleFile file, RefusalReason reason, string message)
    {
        IReadOnlyList<RoleDiagnostic> errors = [RoleDiagnostic.Error(file.Path, LoadCodes.DuplicateName, message)];
        var previous = StatusOf(file.Path);
        SetStatus(new RoleStatus(file.Path, generation.Name, RoleState.Failed, previous?.Generation ?? 0, previous?.LoadedAt, errors, file.Hash));
        _log.LogWarning("{Diagnostic}", errors[0].ToString());
        generation.MoveTo(GenerationState.Refused);
        Publish(generation, GenerationState.Refused, errors);
        Withdraw(generation);
        return new ApplyOutcome.Refused(file.Path, reason, errors);
    }

    // Subscribes, routes and lists the tools of a generation about to serve; refuses (changing
    // nothing) a role that handles an intent type it may not.
    private bool Enlist(RoleGeneration generation, out string? refusal)
    {
        var registration = generation.Registration!;
        refusal = RouteRefusal(generation);
        if (refusal is not null)
        {
            return false;
        }

        var lifetime = generation.Lifetime.Token;
        var routes = new List<(Type, IntentRoute)>();
        foreach (var handler in registration.IntentHandlers)
        {
            var role = generation.Name;
            var settings = generation.Settings;
            var handle = handler.Handler;
            var route = new IntentRoute(
                role,
                handler.HandlerName,
                (intent, origin) => generation.State == GenerationState.Serving
                    ? generation.Track(handle(intent, new HostIntentContext(role, origin.Context, settings, _services, lifetime)))
                    : Task.FromException(new InvalidOperationException($"Role {role} generation {generation.Number} is {generation.State.ToString().ToLowerInvariant()}; it handles nothing.")))
            {
                IsRoleCode = true,
                Call = generation.Guard.Call(handler.HandlerName),
            };
            _intents.RouteRole(role, handler.IntentType, route);
            routes.Add((handler.IntentType, route));
        }

        generation.Routes = routes;
        foreach (var subscription in registration.Subscriptions)
        {
            _bus.Subscribe(generation.Subscriber, subscription.EventType, subscription.HandlerName, subscription.Handler);
        }

        _tools = new Dictionary<string, KernelPlugin>(_tools, StringComparer.OrdinalIgnoreCase) { [generation.Name] = generation.Tools! };
        return true;
    }

    private string? RouteRefusal(RoleGeneration generation)
    {
        foreach (var handler in generation.Registration!.IntentHandlers)
        {
            if (_intents.RoleRouteRefusal(generation.Name, handler.IntentType) is { } why)
            {
                return $"Role {generation.Name} handles {handler.IntentType.Name} ({handler.HandlerName}), which it may not: {why}";
            }
        }

        return null;
    }

    // Takes a generation out of the bus, the intent routes and the tool catalog. Idempotent.
    private void Unlist(RoleGeneration generation)
    {
        if (generation.Lifetime.IsCancellationRequested)
        {
            return;
        }

        _bus.Unsubscribe(generation.Subscriber);
        foreach (var (type, route) in generation.Routes)
        {
            _intents.UnrouteRole(type, route);
        }

        if (_tools.TryGetValue(generation.Name, out var tools) && ReferenceEquals(tools, generation.Tools))
        {
            var next = new Dictionary<string, KernelPlugin>(_tools, StringComparer.OrdinalIgnoreCase);
            next.Remove(generation.Name);
            _tools = next;
        }

        generation.Lifetime.Cancel();
        _bus.TryPublish(new BusEvent(Events.RoleRetired, Data(generation)), EventOrigin.Host);
    }

    // Hands a generation out of service to whoever unloads it: at once, or once its running intent handlers ended.
    private void Withdraw(RoleGeneration generation)
    {
        if (generation.State == GenerationState.Serving && generation.InFlight > 0)
        {
            generation.MoveTo(GenerationState.Draining);
            Publish(generation, GenerationState.Draining, []);
            _ = generation.DrainAsync(_drainTimeout).ContinueWith(
                _ => _loop.Continue(new CallbackWork(_ => Withdraw(generation), null)),
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
            return;
        }

        if (generation.MoveTo(GenerationState.Withdrawn))
        {
            Publish(generation, GenerationState.Withdrawn, []);
        }
    }

    private void Publish(RoleGeneration generation, GenerationState state, IReadOnlyList<RoleDiagnostic> diagnostics) =>
        Changed(new GenerationChanged(generation.Path, generation.Name, generation.Number, state, diagnostics) { Generation = generation });

    // Every change made while a compiled file is being activated carries how long its compile took.
    private void Changed(GenerationChanged change) =>
        _changes.OnNext(_activating is { } compile ? change with { Compile = compile } : change);

    private void SetStatus(RoleStatus status) => UpdateStatus(status.Path, _ => status);

    private void UpdateStatus(string path, Func<RoleStatus, RoleStatus> update)
    {
        lock (_statusGate)
        {
            var current = _status.GetValueOrDefault(path) ?? new RoleStatus(path, null, RoleState.Failed, 0, null, []);
            _status[path] = update(current);
            _statusSnapshot = [.. _status.Values.OrderBy(s => s.Path, StringComparer.Ordinal)];
        }
    }

    private bool RemoveStatus(string path)
    {
        lock (_statusGate)
        {
            if (!_status.Remove(path))
            {
                return false;
            }

            _statusSnapshot = [.. _status.Values.OrderBy(s => s.Path, StringComparer.Ordinal)];
            return true;
        }
    }

    private static Dictionary<string, string> Data(RoleGeneration generation) => new()
    {
        ["role"] = generation.Name,
        ["generation"] = generation.Number.ToString(CultureInfo.InvariantCulture),
    };
}
