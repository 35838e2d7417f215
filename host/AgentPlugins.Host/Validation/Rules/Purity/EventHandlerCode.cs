using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AgentPlugins.Host.Validation.Rules.Purity;

/// <summary>
/// The code an event handler runs: its own body and, transitively, every method of the role file it
/// calls. A helper that does I/O is reported where the I/O is, naming the handler that reaches it.
/// </summary>
internal static class EventHandlerCode
{
    /// <summary>Each use of an outside API reachable from a registered event handler, once per place in the file.</summary>
    public static IEnumerable<(ApiUse Use, string Handler, string Via)> ApiUses(RoleSource role)
    {
        var seen = new HashSet<Location>();
        foreach (var subscription in role.Registration.Subscriptions)
        {
            var start = subscription.Lambda ?? (subscription.Handler is { } handler ? role.BodyOf(handler) : null);
            if (start is null)
            {
                continue;
            }

            var visited = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
            if (subscription.Handler is not null)
            {
                visited.Add(subscription.Handler.OriginalDefinition);
            }

            var pending = new Queue<(IOperation Body, string Via)>([(start, string.Empty)]);
            while (pending.TryDequeue(out var next))
            {
                foreach (var operation in next.Body.DescendantsAndSelf())
                {
                    if (Called(operation) is { } method && role.IsDeclaredHere(method) && visited.Add(method.OriginalDefinition)
                        && role.BodyOf(method.OriginalDefinition) is { } body)
                    {
                        pending.Enqueue((body, $"{next.Via}calls {method.Name}, which "));
                    }

                    if (role.UseOf(operation) is { } use && seen.Add(operation.Syntax.GetLocation()))
                    {
                        yield return (use, subscription.HandlerName, next.Via);
                    }
                }
            }
        }
    }

    private static IMethodSymbol? Called(IOperation operation) => operation switch
    {
        IInvocationOperation call => call.TargetMethod,
        IMethodReferenceOperation reference => reference.Method,
        _ => null,
    };
}
