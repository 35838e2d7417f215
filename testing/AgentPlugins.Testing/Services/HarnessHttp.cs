using AgentPlugins.Host.Http;
using AgentPlugins.Sdk;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;

namespace AgentPlugins.Testing;

// The role's HTTP clients built by the host's own code (RoleHttpClients over IHttpClientFactory: base
// address, headers, timeout, retries, allowed hosts, read-only for tools, failures that name the cause)
// from the role's settings, over the test's handler instead of the network.
internal sealed class HarnessHttp(HttpMessageHandler handler) : IDisposable
{
    private readonly Lazy<ServiceProvider> _services = new(() => Build(handler), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <param name="readOnly">True for a tool's client, which only sends GET and HEAD, as in the host.</param>
    public HttpClient Create(string role, RoleSettings settings, bool readOnly) =>
        _services.Value.GetRequiredService<RoleHttpClients>().Create(role, settings, readOnly);

    public void Dispose()
    {
        if (_services.IsValueCreated)
        {
            _services.Value.Dispose();
        }
    }

    private static ServiceProvider Build(HttpMessageHandler handler)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddHttpClient();
        services.ConfigureHttpClientDefaults(client => client.ConfigurePrimaryHttpMessageHandler(() => new BorrowedHandler(handler)));
        services.AddSingleton<RoleHttpRegistry>();
        services.AddSingleton<IConfigureOptions<HttpClientFactoryOptions>, RoleHttpSetup>();
        services.AddSingleton<RoleHttpClients>();
        return services.BuildServiceProvider();
    }
}
