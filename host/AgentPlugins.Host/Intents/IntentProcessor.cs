using AgentPlugins.Host.Loop;
using AgentPlugins.Sdk;
using Microsoft.Extensions.Logging;

namespace AgentPlugins.Host.Intents;

/// <summary>
/// Validates every intent, then routes it by type: notifications to channels, audits to the audit
/// log, workflows to the workflow engine, role-owned intents to the handler their role registered.
/// Invalid intents, intents nobody handles and handlers that fail are counted and reported, never
/// dropped silently. Runs on the loop. A role takes one turn at a time, like an Orleans grain: its
/// next intent handler starts only when the previous one has ended, awaits included, while other
/// roles' handlers go on; so a role's read-modify-write across awaits needs no lock.
/// </summary>
internal sealed class IntentProcessor
{
    private const int RecentFailureLimit = 50;

    private readonly EventLoop _loop;
    private readonly ILogger _log;
    private readonly Queue<string> _recentFailures = new();

    // Roles with a turn running, each with the intents waiting for theirs; touched on the loop only.
    private readonly Dictionary<string, Queue<(Intent Intent, IntentOrigin Origin)>> _turns = new(StringComparer.Ordinal);
    // Keyed by reference: a Type is its own identity, and hashing it so is cheaper than its GetHashCode.
    private Dictionary<Type, IntentRoute> _hostRoutes = new(ReferenceEqualityComparer.Instance);
    private Dictionary<Type, (string Role, IntentRoute Route)> _roleRoutes = new(ReferenceEqualityComparer.Instance);
    private IIntentStep? _step;
    private bool _telling;
    private long _processed;
    private long _failed;
    private long _errors;

    public IntentProcessor(EventLoop loop, ILogger<IntentProcessor> log)
    {
        _loop = loop;
        _log = log;
    }

    /// <summary>
    /// Routes intents of <paramref name="intentType"/>, one of the host's own, to the component that
    /// carries them out. Host routes are fixed: each is registered once, at composition, by its owner.
    /// </summary>
    public void RouteHost(Type intentType, IntentRoute route)
    {
        ArgumentNullException.ThrowIfNull(intentType);
        ArgumentNullException.ThrowIfNull(route);
        if (_hostRoutes.TryGetValue(intentType, out var existing))
        {
            throw new InvalidOperationException($"{intentType.Name} already has a host route ({existing.Owner}); host routes are registered once.");
        }

        _hostRoutes = new Dictionary<Type, IntentRoute>(_hostRoutes, ReferenceEqualityComparer.Instance) { [intentType] = route };
    }

    /// <summary>
    /// Why <paramref name="role"/> may not handle <paramref name="intentType"/> (a type the host
    /// routes, or one another role handles), or null when it may.
    /// </summary>
    public string? RoleRouteRefusal(string role, Type intentType)
    {
        ArgumentNullException.ThrowIfNull(intentType);
        if (IsHostType(intentType) || _hostRoutes.ContainsKey(intentType))
        {
            return $"{intentType.Name} is one of the host's own intents; the host carries it out, a role only returns it.";
        }

        return _roleRoutes.TryGetValue(intentType, out var taken) && taken.Role != role
            ? $"{intentType.Name} is already handled by role {taken.Role}."
            : null;
    }

    /// <summary>
    /// Routes intents of <paramref name="intentType"/>, declared by <paramref name="role"/>, to its
    /// handler, in place of the role's earlier route for it. Check <see cref="RoleRouteRefusal"/> first.
    /// </summary>
    public void RouteRole(string role, Type intentType, IntentRoute route)
    {
        ArgumentNullException.ThrowIfNull(route);
        if (RoleRouteRefusal(role, intentType) is { } refusal)
        {
            throw new InvalidOperationException(refusal);
        }

        _roleRoutes = new Dictionary<Type, (string, IntentRoute)>(_roleRoutes, ReferenceEqualityComparer.Instance) { [intentType] = (role, route) };
    }

    /// <summary>Removes the route of <paramref name="intentType"/> if it is still <paramref name="route"/> (a newer generation may have taken it over).</summary>
    public void UnrouteRole(Type intentType, IntentRoute route)
    {
        if (_roleRoutes.TryGetValue(intentType, out var current) && ReferenceEquals(current.Route, route))
        {
            var next = new Dictionary<Type, (string Role, IntentRoute Route)>(_roleRoutes, ReferenceEqualityComparer.Instance);
            next.Remove(intentType);
            _roleRoutes = next;
        }
    }

    /// <summary>
    /// Puts <paramref name="step"/> in front of every host route: it sees each host intent with its
    /// origin and decides whether and how the route runs (the timers' once-per-delivery guard).
    /// </summary>
    public void Attach(IIntentStep step)
    {
        ArgumentNullException.ThrowIfNull(step);
        if (_step is not null)
        {
            throw new InvalidOperationException("An intent step is already attached.");
        }

        _step = step;
    }

    /// <summary>True for an intent type the host owns: declared in the SDK or the host itself.</summary>
    public static bool IsHostType(Type intentType)
    {
        ArgumentNullException.ThrowIfNull(intentType);
        return intentType.Assembly == typeof(Intent).Assembly || intentType.Assembly == typeof(IntentProcessor).Assembly;
    }

    /// <summary>An <see cref="ErrorIntent"/> was submitted (a role handler failed, a host part reported one); raised on the loop.</summary>
    public event Action<ErrorIntent>? ErrorRaised;

    public IntentStats Stats
    {
        get
        {
            lock (_recentFailures)
            {
                return new IntentStats(
                    Interlocked.Read(ref _processed),
                    Interlocked.Read(ref _failed),
                    Interlocked.Read(ref _errors),
                    [.. _recentFailures]);
            }
        }
    }

    /// <summary>Validates and carries out <paramref name="intent"/>. Never throws; failures are counted and logged.</summary>
    public void Submit(Intent intent, IntentOrigin origin)
    {
        if (intent is null)
        {
            Fail(origin.Producer, "returned a null intent");
            return;
        }

        bool valid;
        try
        {
            valid = intent.Validate();
        }
        catch (Exception ex)
        {
            Fail(origin.Producer, $"{intent.GetType().Name}.Validate() threw {ex.GetType().Name}: {ex.Message}");
            return;
        }

        if (!valid)
        {
            Fail(origin.Producer, $"invalid intent {intent}");
            return;
        }

        if (intent is ErrorIntent error)
        {
            Interlocked.Increment(ref _errors);
            ErrorRaised?.Invoke(error);
        }

        var type = intent.GetType();
        if (_hostRoutes.TryGetValue(type, out var hostRoute))
        {
            Run(hostRoute, intent, origin, turnOf: null, isHostRoute: true);
        }
        else if (_roleRoutes.TryGetValue(type, out var roleRoute))
        {
            // One turn at a time per role: while the role's previous handler is still awaiting, this one waits.
            if (_turns.TryGetValue(roleRoute.Role, out var waiting))
            {
                waiting.Enqueue((intent, origin));
                return;
            }

            _turns[roleRoute.Role] = new Queue<(Intent, IntentOrigin)>();
            if (!Run(roleRoute.Route, intent, origin, roleRoute.Role))
            {
                NextTurn(roleRoute.Role);
            }

            return;
        }
        else
        {
            Fail(origin.Producer, $"no handler for intent type {type.Name}; register one with role.Handle<{type.Name}>(...)");
        }
    }

    /// <summary>How many intents wait for their role's turn, per role; read on the loop.</summary>
    public IReadOnlyDictionary<string, int> WaitingTurns => _turns.Where(t => t.Value.Count > 0).ToDictionary(t => t.Key, t => t.Value.Count, StringComparer.Ordinal);

    // Runs one handler; true when it is still running (awaiting) and ends its role's turn itself when done.
    private bool Run(IntentRoute route, Intent intent, IntentOrigin origin, string? turnOf, bool isHostRoute = false)
    {
        if (route.Call?.Guard.IsQuarantined == true)
        {
            Fail(route.Owner, $"not handled: role {route.Owner} is quarantined ({intent.GetType().Name})");
            return false;
        }

        Task task;
        if (route.Call is { } call)
        {
            _loop.Watchdog.Enter(call);
        }
        else if (route.IsRoleCode)
        {
            _loop.Watchdog.Enter(route.Owner, route.HandlerName);
        }

        try
        {
            // A host route runs behind the attached step (the timers' once-per-delivery guard).
            task = isHostRoute && _step is not null ? _step.InvokeAsync(intent, origin, route) : route.Handle(intent, origin);
        }
        catch (Exception ex)
        {
            HandlerFailed(route, intent, origin, ex);
            return false;
        }
        finally
        {
            if (route.Call is not null || route.IsRoleCode)
            {
                _loop.Watchdog.Exit();
            }
        }

        if (task.IsCompletedSuccessfully)
        {
            Interlocked.Increment(ref _processed);
            return false;
        }

        _loop.Track(Observe(task, route, intent, origin, turnOf));
        return true;
    }

    // Starts the next waiting turn of a role, or ends its turns when none waits. A waiting intent is
    // routed again when its turn comes. Its type belongs to the generation that was serving when it
    // arrived, so when that generation was reloaded, retired or quarantined meanwhile, the intent
    // fails (a new generation's handler takes its own types only) and the user who asked is told.
    private void NextTurn(string role)
    {
        while (_turns.TryGetValue(role, out var waiting))
        {
            if (!waiting.TryDequeue(out var next))
            {
                _turns.Remove(role);
                return;
            }

            var type = next.Intent.GetType();
            if (!_roleRoutes.TryGetValue(type, out var current) || current.Route.Call?.Guard.IsQuarantined == true)
            {
                var reloaded = _roleRoutes.Any(r => r.Value.Role == role && r.Key.FullName == type.FullName && r.Value.Route.Call?.Guard.IsQuarantined != true);
                var why = reloaded
                    ? $"role {role} was reloaded while {type.Name} waited for its turn; it was not handled, please ask again"
                    : $"role {role} stopped serving (retired or quarantined) while {type.Name} waited for its turn; it was not handled";
                Fail(role, why);
                Tell(role, next.Intent, next.Origin, why);
                continue;
            }

            if (Run(current.Route, next.Intent, next.Origin, role))
            {
                return;
            }
        }
    }

    private async Task Observe(Task task, IntentRoute route, Intent intent, IntentOrigin origin, string? turnOf)
    {
        try
        {
            // A quarantined generation's continuations are dropped, so its task may never end: stop waiting then.
            if (route.Call is { } call && await Task.WhenAny(task, call.Guard.Quarantined).ConfigureAwait(true) != task)
            {
                Fail(route.Owner, $"handler {route.HandlerName} was dropped unfinished: role {route.Owner} is quarantined");
                return;
            }

            await task.ConfigureAwait(true);
            Interlocked.Increment(ref _processed);
        }
        catch (Exception ex)
        {
            HandlerFailed(route, intent, origin, ex);
        }
        finally
        {
            if (turnOf is not null)
            {
                NextTurn(turnOf);
            }
        }
    }

    private void HandlerFailed(IntentRoute route, Intent intent, IntentOrigin origin, Exception ex)
    {
        _log.LogError(ex, "{Owner} handler {Handler} failed on {Intent}.", route.Owner, route.HandlerName, intent.GetType().Name);
        Fail(route.Owner, $"handler {route.HandlerName} failed on {intent.GetType().Name}: {ex.GetType().Name}: {ex.Message}");

        // The person who asked must hear that it failed, and why (a full disk, an API down), not only the log.
        var cause = ex is AggregateException { InnerException: { } inner } ? inner : ex;
        Tell(route.Owner, intent, origin, cause.Message);
    }

    // Not for a failed notification itself: telling would fail the same way.
    private void Tell(string owner, Intent intent, IntentOrigin origin, string why)
    {
        if (origin.Context.User is { } user && intent is not NotificationIntent && !_telling)
        {
            _telling = true;
            try
            {
                Submit(new NotificationIntent($"{owner} could not finish your request: {why}", origin.Context.Channel, user, Priority.High), new IntentOrigin("host", origin.Context));
            }
            finally
            {
                _telling = false;
            }
        }
    }

    private void Fail(string producer, string message)
    {
        Interlocked.Increment(ref _failed);
        var line = $"{producer}: {message}";
        _log.LogWarning("Intent failed: {Failure}", line);
        lock (_recentFailures)
        {
            _recentFailures.Enqueue(line);
            if (_recentFailures.Count > RecentFailureLimit)
            {
                _recentFailures.Dequeue();
            }
        }
    }
}
