using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AgentPlugins.Host.Validation;

/// <summary>
/// What the role file declares through <c>RoleBuilder</c>: event handlers, tool objects, intent
/// handlers, and the other registrations (prompt, hooks) by where they are.
/// </summary>
internal sealed record RoleRegistration(
    IReadOnlyList<SubscriptionCall> Subscriptions,
    IReadOnlyList<ToolsCall> Tools,
    IReadOnlyList<IntentHandlerCall> IntentHandlers,
    IReadOnlyList<Location> Others)
{
    public bool IsEmpty => Subscriptions.Count == 0 && Tools.Count == 0 && IntentHandlers.Count == 0 && Others.Count == 0;

    /// <summary>What several source files register together (the files of one plugin project).</summary>
    public static RoleRegistration Merge(IEnumerable<RoleRegistration> parts)
    {
        var all = parts.ToList();
        return new RoleRegistration(
            [.. all.SelectMany(p => p.Subscriptions)],
            [.. all.SelectMany(p => p.Tools)],
            [.. all.SelectMany(p => p.IntentHandlers)],
            [.. all.SelectMany(p => p.Others)]);
    }
}

/// <summary><c>role.On(eventType, handler)</c>.</summary>
/// <param name="EventType">The event type when it is a constant, else null.</param>
/// <param name="EventTypeLocation">The event type argument.</param>
/// <param name="Handler">The handler: a method group's method, or null for a lambda.</param>
/// <param name="Lambda">The handler when it is a lambda or anonymous method.</param>
internal sealed record SubscriptionCall(string? EventType, Location EventTypeLocation, IMethodSymbol? Handler, IAnonymousFunctionOperation? Lambda)
{
    /// <summary>How messages name the handler.</summary>
    public string HandlerName => Handler?.Name ?? "lambda";
}

/// <summary><c>role.Tools(target)</c>; <paramref name="Type"/> is the static type of the target.</summary>
internal sealed record ToolsCall(ITypeSymbol? Type, Location Location);

/// <summary><c>role.Handle&lt;TIntent&gt;(handler)</c>.</summary>
/// <param name="IntentType">The intent type it handles.</param>
/// <param name="Location">The whole call.</param>
/// <param name="NameLocation">The method's name with its type argument: <c>Handle&lt;TIntent&gt;</c>.</param>
internal sealed record IntentHandlerCall(ITypeSymbol IntentType, Location Location, Location NameLocation);
