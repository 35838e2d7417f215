using System.Reflection;
using AgentPlugins.Host.Compilation;
using AgentPlugins.Sdk;
using Microsoft.SemanticKernel;

namespace AgentPlugins.Host.Roles;

/// <summary>
/// Brings a compiled role to life in a context given by the caller: loads the assembly, creates the
/// one <see cref="IRole"/> in it, checks its config, calls <c>Register</c> and builds its tools. The
/// host makes a generation of the result; <c>host call</c> and the test kit use it as it is, so a
/// role starts (and fails to start) the same way everywhere. A failure is named with the file's path;
/// unloading the context after one is the caller's.
/// </summary>
internal static class RoleActivator
{
    /// <param name="mcpTool">Calls an external MCP server's tool the role lists with <c>role.McpTools</c>; null where there are none.</param>
    public static ActivatedRole Activate(RoleLoadContext context, byte[] image, byte[]? pdbImage, string path, Func<string, string, KernelFunction>? mcpTool = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(image);
        using var pe = new MemoryStream(image);
        using var pdb = pdbImage is null ? null : new MemoryStream(pdbImage);
        var assembly = context.LoadFromStream(pe, pdb);
        return Activate(assembly, path, mcpTool);
    }

    /// <summary>Starts the role in an assembly already loaded (a compiled plugin's, or one a test holds).</summary>
    public static ActivatedRole Activate(Assembly assembly, string path, Func<string, string, KernelFunction>? mcpTool = null)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        return Activate(Create(assembly, path), assembly, path, mcpTool);
    }

    /// <summary>Starts <paramref name="role"/>, an instance already made, whose types live in <paramref name="assembly"/>.</summary>
    public static ActivatedRole Activate(IRole role, Assembly assembly, string path, Func<string, string, KernelFunction>? mcpTool = null)
    {
        ArgumentNullException.ThrowIfNull(role);
        var config = role.Config;
        var problems = RoleConfigRules.Check(config);
        if (problems.Count > 0)
        {
            throw Failure(path, LoadCodes.InvalidConfig, string.Join(" ", problems));
        }

        var builder = new RoleBuilder();
        try
        {
            role.Register(builder);
        }
        catch (Exception ex)
        {
            throw Failure(path, LoadCodes.RegisterThrew, $"{role.GetType().Name}.Register threw {ex.GetType().Name}: {ex.Message}", ex);
        }

        var tools = BuildTools(config, builder, assembly, path, mcpTool);
        return new ActivatedRole(assembly, role, config, builder, tools);
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
