using System.Globalization;
using AgentPlugins.Host.Bus;
using AgentPlugins.Host.Channels;
using AgentPlugins.Host.Compilation;
using AgentPlugins.Host.Intents;
using AgentPlugins.Sdk;
using Microsoft.Extensions.Logging;
using Microsoft.SemanticKernel;

namespace AgentPlugins.Host.Roles;

/// <summary>
/// The roles that serve, one generation per file, and what each registered with the bus, the
/// intent processor and the tool catalog. Every change happens on the loop, inside one piece of
/// work, so a swap falls between two events: each event reaches the old generation or the new one,
/// never both and never neither. If the old one still has intent handlers running, they are
/// cancelled and awaited (up to the drain timeout) before the new one handles anything: its events
/// are kept in order meanwhile, so two generations of a role never run interleaved.
/// </summary>
internal sealed class RoleRegistry
{
    private readonly MessageBus _bus;
    private readonly IntentProcessor _intents;
    private readonly IntentServices _services;
    private readonly TimeProvider _clock;
    private readonly ILogger _log;
    private readonly TimeSpan _drainTimeout;
    private readonly Dictionary<string, RoleGeneration> _active = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RoleStatus> _status = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _generations = new(StringComparer.Ordinal);
    private Dictionary<string, KernelPlugin> _tools = new(StringComparer.OrdinalIgnoreCase);
    private volatile RoleStatus[] _statusSnapshot = [];

    /// <param name="drainTimeout">The longest a new generation waits for the running intent handlers of the one it replaces.</param>
    public RoleRegistry(MessageBus bus, IntentProcessor intents, IntentServices services, TimeProvider clock, ILogger<RoleRegistry> log, TimeSpan? drainTimeout = null)
    {
        _drainTimeout = drainTimeout ?? TimeSpan.FromSeconds(5);
        _bus = bus;
        _intents = intents;
        _services = services;
        _clock = clock;
        _log = log;
    }

    /// <summary>
    /// Raised on the loop with each generation taken out of service (replaced, retired, or refused
    /// for a name clash). It no longer receives anything; its context is for the handler to drain,
    /// unload and verify (the runtime hands it to the unload verifier).
    /// </summary>
    public event Action<RoleGeneration>? Withdrawn;

    /// <summary>Raised on the loop after any role's status changed.</summary>
    public event Action? Changed;

    /// <summary>The tools of each active role, by role name. A snapshot: it never changes under a reader.</summary>
    public IReadOnlyDictionary<string, KernelPlugin> Tools => _tools;

    /// <summary>The active generations, by role name. Read on the loop.</summary>
    public IEnumerable<RoleGeneration> Active => _active.Values;

    /// <summary>Every role file's status, by path. A snapshot, safe to read from any thread.</summary>
    public IReadOnlyList<RoleStatus> Status => _statusSnapshot;

    /// <summary>
    /// Puts <paramref name="generation"/> in service in place of the one from the same file, if any.
    /// Refuses a name another file already uses; the new generation is then unloaded and the old keeps serving.
    /// </summary>
    public void Activate(RoleGeneration generation)
    {
        ArgumentNullException.ThrowIfNull(generation);
        var clash = _active.Values.FirstOrDefault(g => g.Name == generation.Name && g.Path != generation.Path);
        if (clash is not null)
        {
            Withdrawn?.Invoke(generation);
            Fail(
                generation.Path,
                [RoleDiagnostic.Error(generation.Path, LoadCodes.DuplicateName, $"Role name '{generation.Name}' is already used by {clash.Path}; role names are unique.")],
                generation.ContentHash);
            return;
        }

        // Old out, new in, inside this one piece of loop work: no event runs in between.
        _active.TryGetValue(generation.Path, out var previous);
        if (previous is not null)
        {
            Withdraw(previous);
        }

        // Numbered per role name, so a role moved to another file goes on counting where it was.
        generation.Number = _generations[generation.Name] = _generations.GetValueOrDefault(generation.Name) + 1;
        generation.LoadedAt = _clock.GetUtcNow();
        Enlist(generation);
        if (previous is not null && (previous.InFlight > 0 || previous.Subscriber.IsHeld))
        {
            // The old generation is still finishing (or itself still waiting for the one before):
            // the new one keeps its events, after any the old one kept, until that work is done.
            generation.Subscriber.Hold(previous.Subscriber.TakeHeld());
            generation.Serving = _bus.ReleaseWhen(generation.Subscriber, Task.WhenAll(previous.DrainAsync(_drainTimeout), previous.Serving));
            _log.LogInformation("Role {Role} generation {Generation} waits for {Running} running intent handler(s) of generation {Previous}.", generation.Name, generation.Number, previous.InFlight, previous.Number);
        }

        _active[generation.Path] = generation;
        SetStatus(new RoleStatus(generation.Path, generation.Name, RoleState.Active, generation.Number, generation.LoadedAt, [], generation.ContentHash));
        _log.LogInformation("Role {Role} {Version} generation {Generation} active ({Path}).", generation.Name, generation.Config.Version, generation.Number, generation.Path);
        _bus.TryPublish(new BusEvent(Events.RoleLoaded, Data(generation)), EventOrigin.Host);
        if (previous is not null)
        {
            Withdrawn?.Invoke(previous);
        }
    }

    /// <summary>
    /// Records that <paramref name="path"/> failed to load, tells the user at once (log and console),
    /// and leaves whatever served before serving.
    /// </summary>
    public void Fail(string path, IReadOnlyList<RoleDiagnostic> errors, string contentHash = "")
    {
        ArgumentNullException.ThrowIfNull(errors);
        var previous = _status.GetValueOrDefault(path);
        _active.TryGetValue(path, out var serving);
        SetStatus(new RoleStatus(path, previous?.Name, RoleState.Failed, serving?.Number ?? previous?.Generation ?? 0, serving?.LoadedAt ?? previous?.LoadedAt, errors, contentHash));
        foreach (var error in errors)
        {
            _log.LogError("{Diagnostic}", error.ToString());
        }

        var outcome = serving switch
        {
            null => "nothing from this file is serving",
            { Subscriber.Quarantined: true } => $"generation {serving.Number} of {serving.Name} stays quarantined",
            _ => $"generation {serving.Number} of {serving.Name} keeps serving",
        };
        _log.LogWarning("{Path} did not load; {Outcome}.", path, outcome);
        Notify($"{System.IO.Path.GetFileName(path)} did not load; {outcome}.{Environment.NewLine}{string.Join(Environment.NewLine, errors)}");
    }

    /// <summary>Takes the role of <paramref name="path"/> out of service (its file was deleted or renamed away).</summary>
    public void Retire(string path)
    {
        if (!_active.Remove(path, out var generation))
        {
            if (_status.Remove(path))
            {
                Publish();
            }

            return;
        }

        Withdraw(generation);
        if (generation.Subscriber.TakeHeld() is { Count: > 0 } dropped)
        {
            _log.LogInformation("Role {Role} retired while waiting; {Count} event(s) kept for it are dropped.", generation.Name, dropped.Count);
        }

        SetStatus(new RoleStatus(path, generation.Name, RoleState.Retired, generation.Number, generation.LoadedAt, [], generation.ContentHash));
        _log.LogInformation("Role {Role} generation {Generation} retired.", generation.Name, generation.Number);
        Withdrawn?.Invoke(generation);
    }

    /// <summary>Silences a role that held the loop too long, until its file changes.</summary>
    public void Quarantine(string role, string reason)
    {
        var generation = _active.Values.FirstOrDefault(g => g.Name == role);
        if (generation is null)
        {
            return;
        }

        generation.Subscriber.Quarantined = true;
        Withdraw(generation);
        SetStatus(_status[generation.Path] with
        {
            State = RoleState.Quarantined,
            LastErrors = [RoleDiagnostic.Error(generation.Path, LoadCodes.Quarantined, reason)],
        });
        Notify($"Role {role} is quarantined: {reason} Save its file to load it again.");
    }

    private void Enlist(RoleGeneration generation)
    {
        var registration = generation.Registration!;
        foreach (var subscription in registration.Subscriptions)
        {
            _bus.Subscribe(generation.Subscriber, subscription.EventType, subscription.HandlerName, subscription.Handler);
        }

        var lifetime = generation.Lifetime.Token;
        foreach (var handler in registration.IntentHandlers)
        {
            var role = generation.Name;
            var settings = generation.Settings;
            var handle = handler.Handler;
            _intents.Route(handler.IntentType, new IntentRoute(
                role,
                handler.HandlerName,
                (intent, origin) => generation.Track(handle(intent, new HostIntentContext(role, origin.Context, settings, _services, lifetime))))
            {
                IsRoleCode = true,
            });
        }

        _tools = new Dictionary<string, KernelPlugin>(_tools, StringComparer.OrdinalIgnoreCase) { [generation.Name] = generation.Tools! };
    }

    // Takes a generation out of every table and cancels what it started. Idempotent: a quarantined
    // generation is withdrawn once when silenced and skipped when it is finally replaced.
    private void Withdraw(RoleGeneration generation)
    {
        if (generation.Lifetime.IsCancellationRequested)
        {
            return;
        }

        _bus.Unsubscribe(generation.Subscriber);
        foreach (var handler in generation.Registration?.IntentHandlers ?? [])
        {
            _intents.Unroute(handler.IntentType, generation.Name);
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

    private void SetStatus(RoleStatus status)
    {
        _status[status.Path] = status;
        Publish();
    }

    private void Publish()
    {
        _statusSnapshot = [.. _status.Values.OrderBy(s => s.Path, StringComparer.Ordinal)];
        Changed?.Invoke();
    }

    // A failed reload must reach the user at once, not only the log: the console is where they look.
    private void Notify(string text)
    {
        if (!_services.Channels.Names.Contains(ChannelNames.Console))
        {
            return;
        }

        var sending = _services.Channels.SendAsync(ChannelNames.Console, new OutgoingMessage(text, null, Priority.High, MessageKind.Notification));
        sending.ContinueWith(
            (failed, log) => ((ILogger)log!).LogWarning(failed.Exception, "Could not show a role error on the console."),
            _log,
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private static Dictionary<string, string> Data(RoleGeneration generation) => new()
    {
        ["role"] = generation.Name,
        ["generation"] = generation.Number.ToString(CultureInfo.InvariantCulture),
    };
}
