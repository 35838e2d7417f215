using AgentPlugins.Host.Loop;
using AgentPlugins.Sdk;
using Microsoft.Extensions.Logging;

namespace AgentPlugins.Host.Intents;

/// <summary>
/// Validates every intent, then routes it by type: notifications to channels, audits to the audit
/// log, workflows to the workflow engine, role-owned intents to the handler their role registered.
/// Invalid intents, intents nobody handles and handlers that fail are counted and reported, never
/// dropped silently. Runs on the loop.
/// </summary>
internal sealed class IntentProcessor
{
    private const int RecentFailureLimit = 50;

    private readonly EventLoop _loop;
    private readonly ILogger _log;
    private readonly Queue<string> _recentFailures = new();
    private Dictionary<Type, IntentRoute> _hostRoutes = [];
    private Dictionary<Type, (string Role, IntentRoute Route)> _roleRoutes = [];
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

        _hostRoutes = new Dictionary<Type, IntentRoute>(_hostRoutes) { [intentType] = route };
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

        _roleRoutes = new Dictionary<Type, (string, IntentRoute)>(_roleRoutes) { [intentType] = (role, route) };
    }

    /// <summary>Removes the route of <paramref name="intentType"/> if it is still <paramref name="route"/> (a newer generation may have taken it over).</summary>
    public void UnrouteRole(Type intentType, IntentRoute route)
    {
        if (_roleRoutes.TryGetValue(intentType, out var current) && ReferenceEquals(current.Route, route))
        {
            var next = new Dictionary<Type, (string Role, IntentRoute Route)>(_roleRoutes);
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
        IntentRoute? route;
        if (_hostRoutes.TryGetValue(type, out var hostRoute))
        {
            route = _step is null ? hostRoute : hostRoute with { Handle = (i, o) => _step.InvokeAsync(i, o, hostRoute) };
        }
        else if (_roleRoutes.TryGetValue(type, out var roleRoute))
        {
            route = roleRoute.Route;
        }
        else
        {
            Fail(origin.Producer, $"no handler for intent type {type.Name}; register one with role.Handle<{type.Name}>(...)");
            return;
        }

        if (route.Call?.Guard.IsQuarantined == true)
        {
            Fail(route.Owner, $"not handled: role {route.Owner} is quarantined ({type.Name})");
            return;
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
            task = route.Handle(intent, origin);
        }
        catch (Exception ex)
        {
            HandlerFailed(route, intent, origin, ex);
            return;
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
            return;
        }

        _loop.Track(Observe(task, route, intent, origin));
    }

    private async Task Observe(Task task, IntentRoute route, Intent intent, IntentOrigin origin)
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
    }

    private void HandlerFailed(IntentRoute route, Intent intent, IntentOrigin origin, Exception ex)
    {
        _log.LogError(ex, "{Owner} handler {Handler} failed on {Intent}.", route.Owner, route.HandlerName, intent.GetType().Name);
        Fail(route.Owner, $"handler {route.HandlerName} failed on {intent.GetType().Name}: {ex.GetType().Name}: {ex.Message}");

        // The person who asked must hear that it failed, and why (a full disk, an API down), not only the log.
        // Not for a failed notification itself: telling would fail the same way.
        if (origin.Context.User is { } user && intent is not NotificationIntent && !_telling)
        {
            var cause = ex is AggregateException { InnerException: { } inner } ? inner : ex;
            _telling = true;
            try
            {
                Submit(new NotificationIntent($"{route.Owner} could not finish your request: {cause.Message}", origin.Context.Channel, user, Priority.High), new IntentOrigin("host", origin.Context));
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
