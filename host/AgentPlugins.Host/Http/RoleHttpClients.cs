using System.Runtime.CompilerServices;
using AgentPlugins.Sdk;

namespace AgentPlugins.Host.Http;

/// <summary>
/// Hands out a role's HTTP client (<see cref="RoleContext.Http"/>) from <see cref="IHttpClientFactory"/>:
/// the factory pools and rotates the handlers, so a client per role call costs an allocation, and a
/// role never owns a socket across its reloads.
/// </summary>
internal sealed class RoleHttpClients(IHttpClientFactory factory, RoleHttpRegistry registry)
{
    // A role's settings object is built once per load: read its http section once too.
    private readonly ConditionalWeakTable<RoleSettings, RoleHttpOptions> _options = [];

    /// <param name="readOnly">True for a tool's client, which only sends GET and HEAD.</param>
    public HttpClient Create(string role, RoleSettings settings, bool readOnly)
    {
        var options = _options.GetValue(settings, s => RoleHttpOptions.Read(role, s));
        return factory.CreateClient(registry.Current(role, options).ClientName(readOnly));
    }
}
