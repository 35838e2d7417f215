using System.Collections.Concurrent;
using System.Reflection;
using System.Reflection.Metadata;

namespace AgentPlugins.Host.Roles.Unloading;

/// <summary>
/// Clears the caches the BCL keeps of reflected types (System.Text.Json contracts, TypeDescriptor,
/// ...), which would otherwise keep an unloaded role's types, and so its context, alive. These are
/// the caches hot reload clears: each owner names a class with <see cref="MetadataUpdateHandlerAttribute"/>
/// whose static <c>ClearCache(Type[]?)</c> drops them.
/// </summary>
internal static class ReflectionCaches
{
    private static readonly ConcurrentDictionary<Assembly, MethodInfo[]> Handlers = new();

    /// <summary>Calls every <c>ClearCache</c> of the host's (never a role's) loaded assemblies.</summary>
    public static void Clear()
    {
        foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies())
        {
            // A role assembly is collectible; looking into it (or remembering it) would pin it.
            if (assembly.IsCollectible || assembly.IsDynamic)
            {
                continue;
            }

            foreach (var clear in Handlers.GetOrAdd(assembly, Find))
            {
                try
                {
                    clear.Invoke(null, [null]);
                }
                catch (TargetInvocationException)
                {
                    // A cache that cannot be cleared now may be cleared on the next pass.
                }
            }
        }
    }

    private static MethodInfo[] Find(Assembly assembly)
    {
        try
        {
            // Not the runtime's own handler: cleared for every type (null), it loads every type of every
            // loaded assembly to reset each one's member cache (Roslyn's whole object model into a host
            // that compiles in a compiler process, at every reload), and a host type's member cache never
            // holds a role's types: those, and generic instantiations over them, die with their context.
            return [.. assembly.GetCustomAttributes<MetadataUpdateHandlerAttribute>()
                .Where(attribute => attribute.HandlerType.FullName != "System.RuntimeTypeMetadataUpdateHandler")
                .Select(attribute => attribute.HandlerType.GetMethod("ClearCache", BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic, [typeof(Type[])]))
                .OfType<MethodInfo>()];
        }
        catch (Exception ex) when (ex is TypeLoadException or FileNotFoundException or CustomAttributeFormatException)
        {
            return [];
        }
    }
}
