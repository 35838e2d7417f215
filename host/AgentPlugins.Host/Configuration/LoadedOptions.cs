using Microsoft.Extensions.Options;

namespace AgentPlugins.Host.Configuration;

/// <summary>
/// Hands the options read by <see cref="OptionsLoader"/> (immutable records: plugins.json, then
/// environment, then command line) to <c>IOptions&lt;AgentPluginsOptions&gt;</c>, through the registered validators.
/// </summary>
internal sealed class LoadedOptions(AgentPluginsOptions options, IEnumerable<IValidateOptions<AgentPluginsOptions>> validators) : IOptionsFactory<AgentPluginsOptions>
{
    public AgentPluginsOptions Create(string name)
    {
        var failures = validators.Select(v => v.Validate(name, options)).Where(r => r.Failed).SelectMany(r => r.Failures ?? []).ToList();
        return failures.Count == 0 ? options : throw new OptionsValidationException(name, typeof(AgentPluginsOptions), failures);
    }
}
