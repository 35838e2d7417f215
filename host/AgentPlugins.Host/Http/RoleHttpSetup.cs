using Microsoft.Extensions.Http;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentPlugins.Host.Http;

/// <summary>
/// Configures the factory's clients named after a role (<see cref="RoleHttpState.ClientName"/>): base
/// address and headers from the role's settings, then the gate, then the role's resilience pipeline.
/// Roles come and go while the host runs, so their clients are configured by name when first asked
/// for, not registered one by one.
/// </summary>
internal sealed class RoleHttpSetup(RoleHttpRegistry registry, ILoggerFactory logs) : IConfigureNamedOptions<HttpClientFactoryOptions>
{
    private readonly ILogger _log = logs.CreateLogger("AgentPlugins.Host.Http.RoleHttp");

    public void Configure(HttpClientFactoryOptions options) => Configure(Options.DefaultName, options);

    public void Configure(string? name, HttpClientFactoryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (name is null || !registry.TryFind(name, out var state, out var readOnly))
        {
            return;
        }

        options.HttpClientActions.Add(client =>
        {
            client.BaseAddress = state!.Options.BaseAddress;

            // The pipeline times out each attempt; HttpClient's own timeout would cut retries short.
            client.Timeout = Timeout.InfiniteTimeSpan;
            foreach (var (header, value) in state.Options.Headers)
            {
                client.DefaultRequestHeaders.TryAddWithoutValidation(header, value);
            }
        });
        options.HttpMessageHandlerBuilderActions.Add(builder =>
        {
            builder.AdditionalHandlers.Add(new RoleHttpGate(state!, readOnly, _log));
            builder.AdditionalHandlers.Add(new ResilienceHandler(state!.Pipeline));
        });
    }
}
