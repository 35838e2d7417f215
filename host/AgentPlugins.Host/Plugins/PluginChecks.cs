using AgentPlugins.Host.Compilation;
using AgentPlugins.Host.Intents;
using AgentPlugins.Host.Roles;
using AgentPlugins.Sdk;

namespace AgentPlugins.Host.Plugins;

/// <summary>
/// The checks the host runs when it loads a plugin build, run by <c>host validate</c> on a build
/// that is not serving: it loads, every public role is created and registers, its config is valid,
/// its tools are valid Semantic Kernel functions whose signatures would not pin the context, its name
/// is its own within the plugin, and it handles only intents a role may handle (not the host's, not
/// one another role of the plugin handles). Each problem names the plugin and the role type, as the host's refusal would.
/// </summary>
internal static class PluginChecks
{
    /// <param name="build">The plugin assembly (<c>NAME.dll</c> beside its <c>NAME.deps.json</c>).</param>
    public static IReadOnlyList<RoleDiagnostic> Check(string build)
    {
        ArgumentException.ThrowIfNullOrEmpty(build);
        var plugin = Path.GetDirectoryName(Path.GetFullPath(build))!;
        PluginRoles roles;
        try
        {
            roles = PluginAssemblies.Load(new PluginSnapshot(plugin, Path.GetFullPath(build), string.Empty), new Dictionary<string, string>(), out _);
        }
        catch (PluginLoadException ex)
        {
            return [RoleDiagnostic.Error(plugin, LoadCodes.PluginLoad, ex.Message)];
        }

        try
        {
            return CheckRoles(roles);
        }
        finally
        {
            roles.Context.Unload();
        }
    }

    private static List<RoleDiagnostic> CheckRoles(PluginRoles roles)
    {
        var found = new List<RoleDiagnostic>();
        if (roles.RoleTypes.Count == 0)
        {
            found.Add(RoleDiagnostic.Error(roles.Plugin, LoadCodes.NoRole, "The plugin has no public class implementing IRole."));
            return found;
        }

        // Settings are the host's to give: a role is started here as it would be with none configured.
        var instantiator = new RoleInstantiator(_ => RoleSettings.Empty);
        var started = new List<RoleGeneration>();
        foreach (var type in roles.RoleTypes)
        {
            try
            {
                started.Add(instantiator.InstantiatePluginRole(type, roles.Context, PluginRoles.KeyOf(roles.Plugin, type), roles.ContentHash, roles.Plugin, roles.Settings, null));
            }
            catch (RoleLoadFailedException ex)
            {
                found.AddRange(ex.Diagnostics);
            }
        }

        var handledBy = new Dictionary<Type, RoleGeneration>();
        foreach (var role in started)
        {
            if (started.FirstOrDefault(other => other != role && other.Name == role.Name) is { } twin && started.IndexOf(twin) < started.IndexOf(role))
            {
                found.Add(RoleDiagnostic.Error(role.Path, LoadCodes.DuplicateName, $"Role name '{role.Name}' is used by both {twin.Path} and {role.Path}; role names are unique."));
            }

            foreach (var handler in role.Registration!.IntentHandlers)
            {
                if (IntentProcessor.IsHostType(handler.IntentType))
                {
                    found.Add(RoleDiagnostic.Error(role.Path, LoadCodes.HostIntentType, $"Role {role.Name} handles {handler.IntentType.Name} ({handler.HandlerName}), which it may not: {handler.IntentType.Name} is one of the host's own intents; the host carries it out, a role only returns it."));
                }
                else if (handledBy.TryGetValue(handler.IntentType, out var owner) && owner.Name != role.Name)
                {
                    found.Add(RoleDiagnostic.Error(role.Path, LoadCodes.HostIntentType, $"Role {role.Name} handles {handler.IntentType.Name} ({handler.HandlerName}), which it may not: {handler.IntentType.Name} is already handled by role {owner.Name}."));
                }
                else
                {
                    handledBy[handler.IntentType] = role;
                }
            }
        }

        return found;
    }
}
