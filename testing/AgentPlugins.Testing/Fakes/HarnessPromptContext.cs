using AgentPlugins.Sdk;

namespace AgentPlugins.Testing;

// What a prompt hook sees in a test: the request and what the router read; HTTP comes with the scope.
internal sealed class HarnessPromptContext(RoleScope scope, string request, IReadOnlyDictionary<string, string> parameters) : PromptContext(scope)
{
    public override string Request => request;

    public override IReadOnlyDictionary<string, string> Parameters => parameters;
}
