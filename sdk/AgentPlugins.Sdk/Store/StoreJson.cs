using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using System.Text.Json;

namespace AgentPlugins.Sdk;

/// <summary>
/// The serializer options store values are read and written with. System.Text.Json caches what it
/// learns about a type in its options, so a role's own types get options of their own, held only as
/// long as the role's load context lives: a shared cache would keep every unloaded generation in memory.
/// </summary>
internal static class StoreJson
{
    private static readonly JsonSerializerOptions Shared = Create();
    private static readonly ConditionalWeakTable<AssemblyLoadContext, JsonSerializerOptions> PerContext = [];

    public static JsonSerializerOptions For(Type type) =>
        type.IsCollectible && CollectibleAssembly(type) is { } assembly && AssemblyLoadContext.GetLoadContext(assembly) is { } context
            ? PerContext.GetValue(context, static _ => Create())
            : Shared;

    private static JsonSerializerOptions Create() => new(JsonSerializerDefaults.Web);

    // The role assembly behind a collectible type: the type's own, or one of its type arguments' (List<Note>).
    private static Assembly? CollectibleAssembly(Type type)
    {
        if (type.Assembly.IsCollectible)
        {
            return type.Assembly;
        }

        if (type.HasElementType && CollectibleAssembly(type.GetElementType()!) is { } element)
        {
            return element;
        }

        foreach (var argument in type.IsGenericType ? type.GetGenericArguments() : [])
        {
            if (CollectibleAssembly(argument) is { } found)
            {
                return found;
            }
        }

        return null;
    }
}
