using AgentPlugins.Sdk;

namespace AgentPlugins.Host.Agents;

/// <summary>The <see cref="PromptContext"/> one role run gives its hooks.</summary>
internal sealed class HostPromptContext(RoleScope scope, string request, IReadOnlyDictionary<string, string> parameters) : PromptContext(scope)
{
    public override string Request => request;

    public override IReadOnlyDictionary<string, string> Parameters => parameters;
}
