using Microsoft.CodeAnalysis;

namespace AgentPlugins.Host.Validation.Rules.UnloadSafety;

/// <summary>
/// Recognises types whose content can change after they are built: arrays, the framework's mutable
/// collections and buffers, and anything that holds one (<c>IReadOnlyList&lt;byte[]&gt;</c>,
/// <c>Lazy&lt;List&lt;T&gt;&gt;</c>). A field of such a type is state, however <c>readonly</c> it is.
/// </summary>
internal static class MutableTypes
{
    private static readonly HashSet<string> Collections = new(
    [
        "System.Collections.Generic.List",
        "System.Collections.Generic.Dictionary",
        "System.Collections.Generic.OrderedDictionary",
        "System.Collections.Generic.HashSet",
        "System.Collections.Generic.Queue",
        "System.Collections.Generic.Stack",
        "System.Collections.Generic.LinkedList",
        "System.Collections.Generic.SortedDictionary",
        "System.Collections.Generic.SortedList",
        "System.Collections.Generic.SortedSet",
        "System.Collections.Generic.PriorityQueue",
        "System.Collections.Generic.IList",
        "System.Collections.Generic.ICollection",
        "System.Collections.Generic.IDictionary",
        "System.Collections.Generic.ISet",
        "System.Collections.Concurrent.ConcurrentDictionary",
        "System.Collections.Concurrent.ConcurrentQueue",
        "System.Collections.Concurrent.ConcurrentStack",
        "System.Collections.Concurrent.ConcurrentBag",
        "System.Collections.Concurrent.BlockingCollection",
        "System.Collections.ObjectModel.Collection",
        "System.Collections.ObjectModel.ObservableCollection",
        "System.Collections.ObjectModel.KeyedCollection",
        "System.Collections.Immutable.ImmutableArray.Builder",
        "System.Collections.Immutable.ImmutableList.Builder",
        "System.Collections.Immutable.ImmutableDictionary.Builder",
        "System.Collections.Immutable.ImmutableHashSet.Builder",
        "System.Collections.Immutable.ImmutableSortedDictionary.Builder",
        "System.Collections.Immutable.ImmutableSortedSet.Builder",
        "System.Collections.ArrayList",
        "System.Collections.Hashtable",
        "System.Collections.Queue",
        "System.Collections.Stack",
        "System.Collections.SortedList",
        "System.Collections.BitArray",
        "System.Collections.IList",
        "System.Collections.IDictionary",
        "System.Collections.Specialized.NameValueCollection",
        "System.Collections.Specialized.StringCollection",
        "System.Collections.Specialized.StringDictionary",
        "System.Collections.Specialized.OrderedDictionary",
        "System.Collections.Specialized.ListDictionary",
        "System.Collections.Specialized.HybridDictionary",
        "System.Runtime.CompilerServices.ConditionalWeakTable",
        "System.Text.StringBuilder",
        "System.IO.MemoryStream",
        "System.Buffers.ArrayBufferWriter",
        "System.Memory",
        "System.ArraySegment",
    ], StringComparer.Ordinal);

    /// <summary>
    /// The part of <paramref name="type"/> that can change: the type itself, or the array or mutable
    /// collection it holds as a type argument; null when it is immutable all the way down.
    /// </summary>
    public static ITypeSymbol? MutablePart(RoleSource role, ITypeSymbol type)
    {
        switch (type)
        {
            case IArrayTypeSymbol:
                return type;
            case INamedTypeSymbol named when Collections.Contains(role.FullName(named.OriginalDefinition)):
                return type;
            case INamedTypeSymbol { TypeKind: not TypeKind.Delegate, TypeArguments.Length: > 0 } generic:
                // A delegate's type arguments are its signature, not what it holds.
                foreach (var argument in generic.TypeArguments)
                {
                    if (MutablePart(role, argument) is { } part)
                    {
                        return part;
                    }
                }

                return null;
            default:
                return null;
        }
    }

    /// <summary>How messages name a type: <c>byte[][]</c>, <c>List&lt;string&gt;</c>.</summary>
    public static string Display(ITypeSymbol type) => type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);
}
