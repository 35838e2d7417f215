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
            return [.. assembly.GetCustomAttributes<MetadataUpdateHandlerAttribute>()
                .Select(attribute => attribute.HandlerType.GetMethod("ClearCache", BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic, [typeof(Type[])]))
                .OfType<MethodInfo>()];
        }
        catch (Exception ex) when (ex is TypeLoadException or FileNotFoundException or CustomAttributeFormatException)
        {
            return [];
        }
    }
}
