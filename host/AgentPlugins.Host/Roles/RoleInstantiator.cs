using System.Reflection;
using AgentPlugins.Host.Compilation;
using AgentPlugins.Sdk;
using Microsoft.SemanticKernel;

namespace AgentPlugins.Host.Roles;

/// <summary>
/// Turns a compiled role into a generation: loads it into its own collectible context, creates the
/// one <see cref="IRole"/> in it, checks its config, calls <c>Register</c> and builds its tools. On
/// any failure the context is unloaded again and the failure named with the role file's path.
/// </summary>
/// <param name="settingsFor">The settings of a role, by name; throws <see cref="ConfigurationException"/> naming the key when they cannot be used.</param>
/// <param name="discarded">Told of each context unloaded after a failed start (path, weak reference, assembly bytes), so it can be verified gone like a retired generation.</param>
/// <param name="mcpTool">The function calling an external MCP server's tool (server, tool) a role lists with <c>role.McpTools</c>; throws <see cref="InvalidOperationException"/> saying why it cannot.</param>
internal sealed class RoleInstantiator(Func<string, RoleSettings> settingsFor, Action<string, WeakReference, byte[]?>? discarded = null, Func<string, string, KernelFunction>? mcpTool = null)
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
            using var pe = new MemoryStream(compiled.Assembly!);
            using var pdb = new MemoryStream(compiled.Pdb!);
            var assembly = context.LoadFromStream(pe, pdb);
            var role = Create(assembly, compiled.Path);
            var config = role.Config;
            var problems = RoleConfigRules.Check(config);
            if (problems.Count > 0)
            {
                throw Failure(compiled.Path, LoadCodes.InvalidConfig, string.Join(" ", problems));
            }

            var builder = new RoleBuilder();
            try
            {
                role.Register(builder);
            }
            catch (Exception ex)
            {
                throw Failure(compiled.Path, LoadCodes.RegisterThrew, $"{role.GetType().Name}.Register threw {ex.GetType().Name}: {ex.Message}", ex);
            }

            var tools = BuildTools(config, builder, assembly, compiled.Path, mcpTool);
            RoleSettings settings;
            try
            {
                settings = settingsFor(config.Name);
            }
            catch (ConfigurationException ex)
            {
                throw Failure(compiled.Path, LoadCodes.InvalidSettings, ex.Message, ex);
            }

            return new RoleGeneration(compiled.Path, compiled.ContentHash, context, role, config, builder, tools, settings, compiled.Assembly);
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

    private static IRole Create(Assembly assembly, string path)
    {
        var candidates = assembly.GetTypes()
            .Where(type => typeof(IRole).IsAssignableFrom(type) && type is { IsAbstract: false, IsInterface: false })
            .ToList();
        if (candidates.Count == 0)
        {
            throw Failure(path, LoadCodes.NoRole, "The file declares no class implementing IRole; a role file holds exactly one.");
        }

        if (candidates.Count > 1)
        {
            throw Failure(path, LoadCodes.SeveralRoles, $"The file declares {candidates.Count} IRole classes ({string.Join(", ", candidates.Select(t => t.Name))}); a role file holds exactly one.");
        }

        try
        {
            return (IRole)Activator.CreateInstance(candidates[0], nonPublic: true)!;
        }
        catch (Exception ex) when (ex is MissingMethodException or TargetInvocationException or MemberAccessException)
        {
            var cause = ex is TargetInvocationException { InnerException: { } inner } ? inner : ex;
            throw Failure(path, LoadCodes.CannotCreate, $"Could not create {candidates[0].Name}: {cause.GetType().Name}: {cause.Message} (a role needs a parameterless constructor that does not throw).", cause);
        }
    }

    private static KernelPlugin BuildTools(RoleConfig config, RoleBuilder builder, Assembly roleAssembly, string path, Func<string, string, KernelFunction>? mcpTool)
    {
        var functions = new List<KernelFunction>();
        foreach (var target in builder.ToolObjects)
        {
            var pinning = ToolSignatures.FindRoleTypes(target.GetType(), roleAssembly);
            if (pinning.Count > 0)
            {
                throw Failure(path, LoadCodes.PinningToolSignature, $"Tool signatures use types defined in the role ({string.Join("; ", pinning)}); Semantic Kernel caches them forever, so the role could never unload. Use strings, numbers, bool, DateTimeOffset, TimeSpan or SDK types.");
            }

            try
            {
                functions.AddRange(KernelPluginFactory.CreateFromObject(target, config.Name).Select(f => ToolContextParameter.Hide(f, target)));
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or KernelException)
            {
                throw Failure(path, LoadCodes.InvalidTools, $"The tools of {target.GetType().Name} are not valid Semantic Kernel functions: {ex.Message}", ex);
            }
        }

        foreach (var use in builder.McpToolUses)
        {
            try
            {
                functions.Add(mcpTool?.Invoke(use.Server, use.Tool) ?? throw new InvalidOperationException("This host has no external MCP servers (plugins.json mcp:servers)."));
            }
            catch (InvalidOperationException ex)
            {
                throw Failure(path, LoadCodes.InvalidTools, $"role.McpTools(\"{use.Server}\", \"{use.Tool}\"): {ex.Message}", ex);
            }
        }

        var duplicate = functions.GroupBy(f => f.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw Failure(path, LoadCodes.InvalidTools, $"Two tools are named '{duplicate.Key}'; tool names are unique within a role.");
        }

        return KernelPluginFactory.CreateFromFunctions(config.Name, config.Description, functions);
    }

    private static RoleLoadFailedException Failure(string path, string code, string message, Exception? inner = null)
    {
        var failure = new RoleLoadFailedException([RoleDiagnostic.Error(path, code, message)]);
        if (inner is not null)
        {
            failure.Data["cause"] = inner.ToString();
        }

        return failure;
    }
}
