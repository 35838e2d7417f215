using System.Runtime.Loader;

namespace AgentPlugins.Host.Roles;

/// <summary>
/// One build of a compiled plugin, loaded (off the loop) into its own collectible context and ready
/// to be put in service: every public <c>IRole</c> type in it becomes one role, keyed
/// <see cref="KeyOf"/>, and all of them swap together.
/// </summary>
/// <param name="Plugin">The plugin's path as configured (its assembly or output folder), full.</param>
/// <param name="ContentHash">The hash of the build's files; the same build again changes nothing.</param>
/// <param name="Context">The plugin's context (McMaster's), shared by all its roles.</param>
/// <param name="RoleTypes">The public role types, in name order.</param>
/// <param name="Settings">The plugin's own settings, given to each of its roles.</param>
/// <param name="Image">The plugin assembly's bytes, to name a likely cause if the context never unloads.</param>
internal sealed record PluginRoles(
    string Plugin,
    string ContentHash,
    AssemblyLoadContext Context,
    IReadOnlyList<Type> RoleTypes,
    IReadOnlyDictionary<string, string> Settings,
    byte[]? Image)
{
    private const char Separator = '#';

    /// <summary>The status key of one role of a plugin: <c>PLUGIN_PATH#Namespace.Type</c>.</summary>
    public static string KeyOf(string plugin, Type roleType)
    {
        ArgumentNullException.ThrowIfNull(roleType);
        return $"{plugin}{Separator}{roleType.FullName}";
    }

    /// <summary>The plugin a status key belongs to, or null for a role file.</summary>
    public static string? PluginOf(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var at = key.LastIndexOf(Separator);
        return at > 0 && !key.EndsWith(".cs", StringComparison.OrdinalIgnoreCase) && key.IndexOf('/', at) < 0 ? key[..at] : null;
    }
}
