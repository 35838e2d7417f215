using Microsoft.Extensions.Options;

namespace AgentPlugins.Host.Configuration;

/// <summary>Validates the host's options through <c>IOptions</c> (and <c>ValidateOnStart</c>) with the same messages, naming the key, as loading them.</summary>
internal sealed class AgentPluginsOptionsValidator : IValidateOptions<AgentPluginsOptions>
{
    public ValidateOptionsResult Validate(string? name, AgentPluginsOptions options) =>
        OptionsLoader.Problems(options) is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
}
