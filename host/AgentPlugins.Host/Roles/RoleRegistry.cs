using AgentPlugins.Host.Bus;
using AgentPlugins.Host.Compilation;
using AgentPlugins.Host.Intents;
using AgentPlugins.Sdk;
using Microsoft.Extensions.Logging;
using Microsoft.SemanticKernel;

namespace AgentPlugins.Host.Roles;

/// <summary>
/// The roles that serve, one generation per file, and what each registered with the bus, the
/// intent processor and the tool catalog. Every change happens on the loop, between two pieces of
/// work, so two generations of a role never run at once.
/// </summary>
internal sealed class RoleRegistry
{
    private readonly MessageBus _bus;
    private readonly IntentProcessor _intents;
    private readonly IntentServices _services;
    private readonly TimeProvider _clock;
    private readonly ILogger _log;
    private readonly Dictionary<string, RoleGeneration> _active = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RoleStatus> _status = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _generations = new(StringComparer.Ordinal);
    private Dictionary<string, KernelPlugin> _tools = new(StringComparer.OrdinalIgnoreCase);

    public RoleRegistry(MessageBus bus, IntentProcessor intents, IntentServices services, TimeProvider clock, ILogger<RoleRegistry> log)
    {
        _bus = bus;
        _intents = intents;
        _services = services;
        _clock = clock;
        _log = log;
    }

    /// <summary>Raised on the loop with the weak reference of each generation that was unloaded.</summary>
    public event Action<RoleGeneration, WeakReference>? Unloaded;

    /// <summary>The tools of each active role, by role name. A snapshot: it never changes under a reader.</summary>
    public IReadOnlyDictionary<string, KernelPlugin> Tools => _tools;

    /// <summary>The active generations, by role name.</summary>
    public IEnumerable<RoleGeneration> Active => _active.Values;

    public IReadOnlyList<RoleStatus> Status => [.. _status.Values.OrderBy(s => s.Path, StringComparer.Ordinal)];

    /// <summary>
    /// Puts <paramref name="generation"/> in service in place of the one from the same file, if any.
    /// Refuses a name another file already uses; the new generation is then unloaded and the old keeps serving.
    /// </summary>
    public void Activate(RoleGeneration generation)
    {
        var clash = _active.Values.FirstOrDefault(g => g.Name == generation.Name && g.Path != generation.Path);
        if (clash is not null)
        {
            generation.Unload();
            Fail(generation.Path, [RoleDiagnostic.Error(generation.Path, LoadCodes.DuplicateName, $"Role name '{generation.Name}' is already used by {clash.Path}; role names are unique.")]);
            return;
        }

        if (_active.TryGetValue(generation.Path, out var previous))
        {
            Withdraw(previous);
        }

        generation.Number = _generations[generation.Path] = _generations.GetValueOrDefault(generation.Path) + 1;
        generation.LoadedAt = _clock.GetUtcNow();
        Enlist(generation);
        _active[generation.Path] = generation;
        _status[generation.Path] = new RoleStatus(generation.Path, generation.Name, RoleState.Active, generation.Number, generation.LoadedAt, []);
        _log.LogInformation("Role {Role} generation {Generation} active ({Path}).", generation.Name, generation.Number, generation.Path);
        _bus.TryPublish(new BusEvent(Events.RoleLoaded, Data(generation)), EventOrigin.Host);
        if (previous is not null)
        {
            Unloaded?.Invoke(previous, previous.Unload());
        }
    }

    /// <summary>Records that <paramref name="path"/> failed to load; whatever served before goes on serving.</summary>
    public void Fail(string path, IReadOnlyList<RoleDiagnostic> errors)
    {
        var previous = _status.GetValueOrDefault(path);
        var keepsServing = _active.ContainsKey(path);
        _status[path] = new RoleStatus(path, previous?.Name, RoleState.Failed, previous?.Generation ?? 0, previous?.LoadedAt, errors);
        foreach (var error in errors)
        {
            _log.LogError("{Diagnostic}", error.ToString());
        }

        if (keepsServing)
        {
            _log.LogWarning("Generation {Generation} of {Path} keeps serving.", previous!.Generation, path);
        }
    }

    /// <summary>Takes the role of <paramref name="path"/> out of service (its file was deleted).</summary>
    public void Retire(string path)
    {
        if (!_active.Remove(path, out var generation))
        {
            _status.Remove(path);
            return;
        }

        Withdraw(generation);
        _status[path] = new RoleStatus(path, generation.Name, RoleState.Retired, generation.Number, generation.LoadedAt, []);
        _log.LogInformation("Role {Role} generation {Generation} retired.", generation.Name, generation.Number);
        Unloaded?.Invoke(generation, generation.Unload());
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
        _status[generation.Path] = _status[generation.Path] with
        {
            State = RoleState.Quarantined,
            LastErrors = [RoleDiagnostic.Error(generation.Path, "AP1010", reason)],
        };
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
                (intent, origin) => handle(intent, new HostIntentContext(role, origin.Context, settings, _services, lifetime)))
            {
                IsRoleCode = true,
            });
        }

        _tools = new Dictionary<string, KernelPlugin>(_tools, StringComparer.OrdinalIgnoreCase) { [generation.Name] = generation.Tools! };
    }

    private void Withdraw(RoleGeneration generation)
    {
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

        _bus.TryPublish(new BusEvent(Events.RoleRetired, Data(generation)), EventOrigin.Host);
    }

    private static Dictionary<string, string> Data(RoleGeneration generation) => new()
    {
        ["role"] = generation.Name,
        ["generation"] = generation.Number.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
