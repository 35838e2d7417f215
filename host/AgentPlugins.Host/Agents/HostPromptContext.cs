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
    HttpClient http,
    ILogger log,
    CancellationToken cancellation) : PromptContext
{
    public override string Role => role;

    public override string Request => request;

    public override EventContext Origin => origin;

    public override IReadOnlyDictionary<string, string> Parameters => parameters;

    public override RoleSettings Settings => settings;

    public override TimeProvider Clock => clock;

    public override HttpClient Http => http;

    public override ILogger Log => log;

    public override CancellationToken Cancellation => cancellation;
}
