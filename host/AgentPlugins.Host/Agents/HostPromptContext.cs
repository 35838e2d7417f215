using AgentPlugins.Sdk;
using Microsoft.Extensions.Logging;

namespace AgentPlugins.Host.Agents;

/// <summary>The <see cref="PromptContext"/> one role run gives its hooks.</summary>
internal sealed class HostPromptContext(
    string role,
    string request,
    EventContext origin,
    IReadOnlyDictionary<string, string> parameters,
    RoleSettings settings,
    TimeProvider clock,
    ITimerService timers,
    HttpClient http,
    ILogger log,
    CancellationToken cancellation) : PromptContext(new RoleScope(role, origin, settings, clock, log, timers, cancellation))
{
    public override string Request => request;

    public override IReadOnlyDictionary<string, string> Parameters => parameters;

    public override HttpClient Http => http;
}
