using System.Reflection;
using System.Runtime.Loader;
using AgentPlugins.Host.Compilation;
using AgentPlugins.Sdk;

namespace AgentPlugins.Host.Roles;

/// <summary>
/// Turns a compiled role into a generation: loads it into its own collectible context, creates the
/// one <see cref="IRole"/> in it, checks its config, calls <c>Register</c> and builds its tools. On
/// any failure the context is unloaded again and the failure named with the role file's path.
/// </summary>
/// <param name="settingsFor">The settings of a role, by name; throws <see cref="ConfigurationException"/> naming the key when they cannot be used.</param>
/// <param name="discarded">Told of each context unloaded after a failed start (path, weak reference, assembly bytes), so it can be verified gone like a retired generation.</param>
/// <param name="mcpTool">The function calling an external MCP server's tool (server, tool) a role lists with <c>role.McpTools</c>; throws <see cref="InvalidOperationException"/> saying why it cannot.</param>
internal sealed class RoleInstantiator(Func<string, RoleSettings> settingsFor, Action<string, WeakReference, byte[]?>? discarded = null, Func<string, string, Microsoft.SemanticKernel.KernelFunction>? mcpTool = null)
{
    public RoleGeneration Instantiate(CompiledRole compiled)
    {
        if (!compiled.Succeeded)
        {
            throw new RoleLoadFailedException([.. compiled.Errors]);
        }

        var context = new RoleLoadContext($"role:{Path.GetFileName(compiled.Path)}");
        try
        {
            var activated = RoleActivator.Activate(context, compiled.Assembly!, compiled.Pdb, compiled.Path, mcpTool);
            RoleSettings settings;
            try
            {
                settings = settingsFor(activated.Config.Name);
            }
            catch (ConfigurationException ex)
            {
                var failure = new RoleLoadFailedException([RoleDiagnostic.Error(compiled.Path, LoadCodes.InvalidSettings, ex.Message)]);
                failure.Data["cause"] = ex.ToString();
                throw failure;
            }

            return new RoleGeneration(compiled.Path, compiled.ContentHash, context, activated.Role, activated.Config, activated.Registration, activated.Tools, settings, compiled.Assembly);
        }
        catch
        {
            // The constructor or Register may already have hooked something that pins the
            // context; a failed start is verified gone like any retired generation.
            var reference = new WeakReference(context);
            context.Unload();
            discarded?.Invoke(compiled.Path, reference, compiled.Assembly);
            throw;
        }
    }

    /// <summary>
    /// Turns one public <see cref="IRole"/> type of a compiled plugin, already loaded in the plugin's
    /// context, into a generation keyed <paramref name="key"/>, with the same checks as a role file.
    /// The context is the plugin's: on failure it is left to the caller, which owns every role in it.
    /// </summary>
    public RoleGeneration InstantiatePluginRole(Type roleType, AssemblyLoadContext context, string key, string contentHash, string plugin, IReadOnlyDictionary<string, string> pluginSettings, byte[]? image)
    {
        ArgumentNullException.ThrowIfNull(roleType);
        var activated = RoleActivator.Activate(New(roleType, key), roleType.Assembly, key, mcpTool);

        // roles:settings by role name, then the plugin's own settings over them.
        RoleSettings named;
        try
        {
            named = settingsFor(activated.Config.Name);
        }
        catch (ConfigurationException ex)
        {
            var failure = new RoleLoadFailedException([RoleDiagnostic.Error(key, LoadCodes.InvalidSettings, ex.Message)]);
            failure.Data["cause"] = ex.ToString();
            throw failure;
        }

        var settings = named.Keys.ToDictionary(k => k, k => named[k]!, StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in pluginSettings)
        {
            settings[name] = value;
        }

        var secrets = named.Keys.Where(k => named.IsSecret(k) && !pluginSettings.ContainsKey(k));
        return new RoleGeneration(key, contentHash, context, activated.Role, activated.Config, activated.Registration, activated.Tools, new RoleSettings(settings, secrets), image) { Plugin = plugin };
    }

    /// <summary>Unloads a plugin context none of whose roles serves, and has it verified gone like a retired generation.</summary>
    public void Discard(string path, AssemblyLoadContext context, byte[]? image)
    {
        ArgumentNullException.ThrowIfNull(context);
        var reference = new WeakReference(context);
        context.Unload();
        discarded?.Invoke(path, reference, image);
    }

    private static IRole New(Type type, string path)
    {
        try
        {
            return (IRole)Activator.CreateInstance(type, nonPublic: true)!;
        }
        catch (Exception ex) when (ex is MissingMethodException or TargetInvocationException or MemberAccessException)
        {
            var cause = ex is TargetInvocationException { InnerException: { } inner } ? inner : ex;
            var failure = new RoleLoadFailedException([RoleDiagnostic.Error(path, LoadCodes.CannotCreate, $"Could not create {type.Name}: {cause.GetType().Name}: {cause.Message} (a role needs a parameterless constructor that does not throw).")]);
            failure.Data["cause"] = cause.ToString();
            throw failure;
        }
    }
}
