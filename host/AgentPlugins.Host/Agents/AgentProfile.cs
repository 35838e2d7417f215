using AgentPlugins.Host.Roles;
using AgentPlugins.Sdk;
using Microsoft.SemanticKernel;

namespace AgentPlugins.Host.Agents;

/// <summary>
/// What a request needs from one role, taken from its active generation when the request starts.
/// A request keeps its profile to the end, so a reload in between changes only later requests.
/// </summary>
internal sealed record AgentProfile(
    RoleConfig Config,
    string? Instructions,
    KernelPlugin Tools,
    RoleSettings Settings,
    Func<PromptContext, Task<string>>? PreProcessor,
    Func<string, PromptContext, Task<string>>? PostProcessor)
{
    public string Name => Config.Name;

    /// <summary>The serving roles by name. Call on the loop: the registry changes only there.</summary>
    public static Dictionary<string, AgentProfile> Snapshot(RoleLifecycle roles)
    {
        ArgumentNullException.ThrowIfNull(roles);
        var tools = roles.Tools;
        var profiles = new Dictionary<string, AgentProfile>(StringComparer.OrdinalIgnoreCase);
        foreach (var generation in roles.Serving)
        {
            // A quarantined generation stays in Active but its tools are withdrawn: it does not serve.
            if (generation.Registration is { } registration && tools.TryGetValue(generation.Name, out var plugin) && ReferenceEquals(plugin, generation.Tools))
            {
                profiles[generation.Name] = new AgentProfile(
                    generation.Config, registration.Instructions, plugin, generation.Settings, registration.PreProcessor, registration.PostProcessor);
            }
        }

        return profiles;
    }
}
