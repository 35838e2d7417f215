using AgentPlugins.Host.Intents;
using AgentPlugins.Host.Loop;
using AgentPlugins.Sdk;
using Microsoft.Extensions.Logging;

namespace AgentPlugins.Host.Bus;

/// <summary>
/// Delivers events to the roles that subscribed to their type (case-sensitive), on the loop, in
/// publish order. A handler that throws is isolated: it yields an <see cref="ErrorIntent"/> naming
/// the role and handler, and the other handlers and events go on. Intents handlers return go to the
/// <see cref="IntentProcessor"/>.
/// </summary>
internal sealed class MessageBus : IEventDispatcher
{
    private readonly EventLoop _loop;
    private readonly IntentProcessor _intents;
    private readonly TimeProvider _clock;
    private readonly ILogger _log;

    // Changed only on the loop; replaced (never mutated) so a dispatch in progress keeps its snapshot.
    private Dictionary<string, Subscription[]> _subscriptions = new(StringComparer.Ordinal);
    private long _published;
    private long _delivered;
    private long _handlerFailures;

    public MessageBus(EventLoop loop, IntentProcessor intents, TimeProvider clock, ILogger<MessageBus> log)
    {
        _loop = loop;
        _intents = intents;
        _clock = clock;
        _log = log;
    }

    /// <summary>Events dispatched so far.</summary>
    public long Published => Interlocked.Read(ref _published);

    /// <summary>Handler calls made so far.</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>Handler calls that threw.</summary>
    public long HandlerFailures => Interlocked.Read(ref _handlerFailures);

    /// <summary>The event types someone listens to.</summary>
    public IReadOnlyCollection<string> SubscribedTypes => _subscriptions.Keys;

    /// <summary>Adds a handler. Call on the loop.</summary>
    public void Subscribe(BusSubscriber owner, string eventType, string handlerName, Func<BusEvent, EventContext, IEnumerable<Intent>> handler)
    {
        EnsureOnLoop();
        var next = new Dictionary<string, Subscription[]>(_subscriptions, StringComparer.Ordinal);
        var current = next.TryGetValue(eventType, out var list) ? list : [];
        next[eventType] = [.. current, new Subscription(owner, handlerName, handler, owner.Guard.Call(handlerName))];
        _subscriptions = next;
    }

    /// <summary>Removes every handler of <paramref name="owner"/>. Call on the loop.</summary>
    public void Unsubscribe(BusSubscriber owner)
    {
        EnsureOnLoop();
        var next = new Dictionary<string, Subscription[]>(StringComparer.Ordinal);
        foreach (var (type, list) in _subscriptions)
        {
            var kept = Array.FindAll(list, s => s.Owner != owner);
            if (kept.Length > 0)
            {
                next[type] = kept;
            }
        }

        _subscriptions = next;
    }

    /// <summary>Publishes from any thread; waits while the loop's ingress is full.</summary>
    public ValueTask PublishAsync(BusEvent busEvent, EventOrigin origin, CancellationToken cancellationToken = default) =>
        _loop.PostAsync(LoopItem.Event(this, busEvent, origin), cancellationToken);

    /// <summary>Publishes from any thread unless the loop's ingress is full.</summary>
    public bool TryPublish(BusEvent busEvent, EventOrigin origin) => _loop.TryPost(LoopItem.Event(this, busEvent, origin));

    /// <summary>
    /// Dispatches now, on the loop, and returns how many subscribers got the event (or keep it, held
    /// during a reload, for their release), so a publisher that must not lose an event (a timer
    /// expiry) can tell whether anyone heard it. With <paramref name="onlyRole"/>, only that role's
    /// subscribers get it (an owned timer's expiry). Call on the loop.
    /// </summary>
    public int DeliverNow(BusEvent busEvent, EventOrigin origin, string? onlyRole = null)
    {
        EnsureOnLoop();
        return Dispatch(busEvent, origin, onlyRole);
    }

    /// <summary>
    /// Once <paramref name="gate"/> completes, delivers on the loop, in order, the events kept for
    /// <paramref name="owner"/> during its hold, then lets events reach it directly. Shutdown waits for it.
    /// </summary>
    public Task ReleaseWhen(BusSubscriber owner, Task gate)
    {
        ArgumentNullException.ThrowIfNull(gate);
        var released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        gate.ContinueWith(
            _ => _loop.Continue(new CallbackWork(
                _ =>
                {
                    try
                    {
                        Release(owner);
                    }
                    finally
                    {
                        released.TrySetResult();
                    }
                },
                null)),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        _loop.Track(released.Task);
        return released.Task;
    }

    private void Release(BusSubscriber owner)
    {
        foreach (var (busEvent, origin) in owner.TakeHeld())
        {
            if (!_subscriptions.TryGetValue(busEvent.Type, out var subscribers))
            {
                continue;
            }

            var context = origin.At(_clock.GetUtcNow());
            foreach (var subscription in subscribers)
            {
                if (subscription.Owner == owner && !owner.Silenced)
                {
                    Deliver(subscription, busEvent, context, origin);
                }
            }
        }
    }

    void IEventDispatcher.Dispatch(BusEvent busEvent, EventOrigin origin) => Dispatch(busEvent, origin);

    private int Dispatch(BusEvent busEvent, EventOrigin origin, string? onlyRole = null)
    {
        _published++;
        if (!_subscriptions.TryGetValue(busEvent.Type, out var subscribers))
        {
            return 0;
        }

        var context = origin.At(_clock.GetUtcNow());
        var handlers = 0;
        foreach (var subscription in subscribers)
        {
            if (subscription.Owner.Silenced || (onlyRole is not null && subscription.Owner.Role != onlyRole))
            {
                continue;
            }

            handlers++;
            if (subscription.Owner.IsHeld)
            {
                subscription.Owner.Keep(busEvent, origin);
                continue;
            }

            Deliver(subscription, busEvent, context, origin);
        }

        return handlers;
    }

    private void Deliver(Subscription subscription, BusEvent busEvent, EventContext context, EventOrigin origin)
    {
        _delivered++;
        var intents = Call(subscription, busEvent, context);
        if (intents is null)
        {
            return;
        }

        var from = new IntentOrigin(subscription.Owner.Role, context) { Answering = origin };
        for (var i = 0; i < intents.Count; i++)
        {
            _intents.Submit(intents[i], from);
        }
    }

    // Runs the handler and reads its intents inside the guard: a lazy (yield) handler fails while enumerated.
    private IReadOnlyList<Intent>? Call(Subscription subscription, BusEvent busEvent, EventContext context)
    {
        var watchdog = _loop.Watchdog;
        watchdog.Enter(subscription.Call);
        try
        {
            switch (subscription.Handler(busEvent, context))
            {
                // Arrays first: `[]` and `[x]` are arrays, and an interface cast of an array is the slow path.
                case null:
                case Intent[] { Length: 0 }:
                    return null;
                case Intent[] array:
                    return array;
                // `[x]` returned as IEnumerable<Intent> is a compiler-made read-only list: used as it is, not copied.
                case IReadOnlyList<Intent> list:
                    return list.Count == 0 ? null : list;
                case ICollection<Intent> { Count: 0 }:
                    return null;
                case var lazy:
                    return [.. lazy];
            }
        }
        catch (Exception ex)
        {
            _handlerFailures++;
            var source = $"{subscription.Owner.Role}/{subscription.HandlerName}";
            _log.LogError(ex, "Role {Role} handler {Handler} failed on {EventType}.", subscription.Owner.Role, subscription.HandlerName, busEvent.Type);
            return [new ErrorIntent(source, $"{ex.GetType().Name} on {busEvent.Type}: {ex.Message}", ex.ToString())];
        }
        finally
        {
            watchdog.Exit();
        }
    }

    private void EnsureOnLoop()
    {
        if (_loop.ThreadId is not null && !_loop.IsOnLoop)
        {
            throw new InvalidOperationException("Subscriptions change only on the loop.");
        }
    }

    private sealed record Subscription(BusSubscriber Owner, string HandlerName, Func<BusEvent, EventContext, IEnumerable<Intent>> Handler, RoleCall Call);
}
