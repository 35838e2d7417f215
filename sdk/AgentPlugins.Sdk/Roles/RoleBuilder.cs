namespace AgentPlugins.Sdk;

/// <summary>
/// What a role declares in <see cref="IRole.Register"/>: event handlers, tools and intent handlers.
/// The host reads it once, after <c>Register</c> returns, and owns the registrations from then on.
/// </summary>
public sealed class RoleBuilder
{
    private readonly List<EventSubscription> _subscriptions = [];
    private readonly List<object> _toolObjects = [];
    private readonly Dictionary<Type, IntentHandlerRegistration> _intentHandlers = [];

    internal IReadOnlyList<EventSubscription> Subscriptions => _subscriptions;

    internal IReadOnlyList<object> ToolObjects => _toolObjects;

    internal IReadOnlyCollection<IntentHandlerRegistration> IntentHandlers => _intentHandlers.Values;

    /// <summary>Calls <paramref name="handler"/> for every event of <paramref name="eventType"/> (case-sensitive).</summary>
    /// <remarks>Event handlers are pure: they look at the event and its context and return intents.</remarks>
    public RoleBuilder On(string eventType, Func<BusEvent, EventContext, IEnumerable<Intent>> handler)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(eventType);
        ArgumentNullException.ThrowIfNull(handler);
        _subscriptions.Add(new EventSubscription(eventType, handler, HandlerName(handler)));
        return this;
    }

    /// <summary>Exposes the <c>[KernelFunction]</c> methods of <paramref name="tools"/> as the role's tools.</summary>
    public RoleBuilder Tools(object tools)
    {
        ArgumentNullException.ThrowIfNull(tools);
        _toolObjects.Add(tools);
        return this;
    }

    /// <summary>Carries out intents of type <typeparamref name="TIntent"/>; the only place for side effects.</summary>
    public RoleBuilder Handle<TIntent>(Func<TIntent, IntentContext, Task> handler)
        where TIntent : Intent
    {
        ArgumentNullException.ThrowIfNull(handler);
        if (!_intentHandlers.TryAdd(typeof(TIntent), new IntentHandlerRegistration(
                typeof(TIntent), (intent, context) => handler((TIntent)intent, context), HandlerName(handler))))
        {
            throw new InvalidOperationException($"A handler for {typeof(TIntent).Name} is already registered.");
        }

        return this;
    }

    private static string HandlerName(Delegate handler) => handler.Method.Name;
}

internal sealed record EventSubscription(
    string EventType,
    Func<BusEvent, EventContext, IEnumerable<Intent>> Handler,
    string HandlerName);

internal sealed record IntentHandlerRegistration(
    Type IntentType,
    Func<Intent, IntentContext, Task> Handler,
    string HandlerName);
