using AgentPlugins.Sdk;

namespace AgentPlugins.Testing;

// What a prompt hook sees in a test: the request, what the router read, and HTTP through the test's handler.
internal sealed class HarnessPromptContext(RoleScope scope, string request, IReadOnlyDictionary<string, string> parameters, HttpClient http) : PromptContext(scope)
{
    public override string Request => request;

    public override IReadOnlyDictionary<string, string> Parameters => parameters;

    public override HttpClient Http => http;
}
