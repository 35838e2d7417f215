using System.Reflection;
using System.Runtime.Loader;

namespace AgentPlugins.Host.Roles;

/// <summary>
/// One role generation's collectible context. It resolves nothing itself, so the SDK, Semantic
/// Kernel and the framework come from the host's context and their types are shared with the host.
/// </summary>
internal sealed class RoleLoadContext(string name) : AssemblyLoadContext(name, isCollectible: true)
{
    protected override Assembly? Load(AssemblyName assemblyName) => null;
}
