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
}
