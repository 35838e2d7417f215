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
    private Dictionary<Type, IntentRoute> _routes = [];
    private long _processed;
    private long _failed;
    private long _errors;

    public IntentProcessor(EventLoop loop, ILogger<IntentProcessor> log)
    {
        _loop = loop;
        _log = log;
    }

    /// <summary>Routes intents of <paramref name="intentType"/> to <paramref name="route"/>, replacing any earlier route.</summary>
    public void Route(Type intentType, IntentRoute route)
    {
        ArgumentNullException.ThrowIfNull(route);
        _routes = new Dictionary<Type, IntentRoute>(_routes) { [intentType] = route };
    }

    /// <summary>Removes the route of <paramref name="intentType"/> if <paramref name="owner"/> owns it.</summary>
    public void Unroute(Type intentType, string owner)
    {
        if (_routes.TryGetValue(intentType, out var route) && route.Owner == owner)
        {
            var next = new Dictionary<Type, IntentRoute>(_routes);
            next.Remove(intentType);
            _routes = next;
        }
    }

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

        if (intent is ErrorIntent)
        {
            Interlocked.Increment(ref _errors);
        }

        if (!_routes.TryGetValue(intent.GetType(), out var route))
        {
            Fail(origin.Producer, $"no handler for intent type {intent.GetType().Name}; register one with role.Handle<{intent.GetType().Name}>(...)");
            return;
        }

        Task task;
        if (route.IsRoleCode)
        {
            _loop.Watchdog.Enter(route.Owner, route.HandlerName);
        }

        try
        {
            task = route.Handle(intent, origin);
        }
        catch (Exception ex)
        {
            HandlerFailed(route, intent, ex);
            return;
        }
        finally
        {
            if (route.IsRoleCode)
            {
                _loop.Watchdog.Exit();
            }
        }

        if (task.IsCompletedSuccessfully)
        {
            Interlocked.Increment(ref _processed);
            return;
        }

        _loop.Track(Observe(task, route, intent));
    }

    private async Task Observe(Task task, IntentRoute route, Intent intent)
    {
        try
        {
            await task.ConfigureAwait(true);
            Interlocked.Increment(ref _processed);
        }
        catch (Exception ex)
        {
            HandlerFailed(route, intent, ex);
        }
    }

    private void HandlerFailed(IntentRoute route, Intent intent, Exception ex)
    {
        _log.LogError(ex, "{Owner} handler {Handler} failed on {Intent}.", route.Owner, route.HandlerName, intent.GetType().Name);
        Fail(route.Owner, $"handler {route.HandlerName} failed on {intent.GetType().Name}: {ex.GetType().Name}: {ex.Message}");
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
