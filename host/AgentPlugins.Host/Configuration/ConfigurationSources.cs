using System.Collections;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.Configuration.Memory;

namespace AgentPlugins.Host.Configuration;

/// <summary>
/// Says where a configuration key's value came from, so an error blames the real source: plugins.json,
/// an <c>AGENTPLUGINS_</c> environment variable (by its name), or a command-line option.
/// </summary>
/// <param name="root">The configuration read; null for options built in code, which are blamed on <paramref name="file"/>.</param>
internal sealed partial class ConfigurationSources(IConfigurationRoot? root, string file)
{
    /// <summary>The configuration file, which is blamed when no source holds the key.</summary>
    public string File { get; } = file;

    /// <summary>The source of <paramref name="key"/> (<c>timers:maxPerUser</c>): the last one to set it wins, as in binding.</summary>
    public string Of(string key)
    {
        foreach (var provider in root?.Providers.Reverse() ?? [])
        {
            if (provider.TryGet(key, out _))
            {
                return Describe(provider, key);
            }
        }

        return File;
    }

    /// <summary>The source of the first key a binder message quotes (<c>at 'Timers:MaxPerUser'</c>, <c>'fodler' was not found</c>).</summary>
    public string Blame(string message)
    {
        foreach (Match quoted in Quoted().Matches(message))
        {
            var name = quoted.Groups[1].Value;
            if (name.Contains(':', StringComparison.Ordinal))
            {
                return Of(name);
            }

            // An unknown property is quoted by its last segment: find the key that ends with it.
            var key = root?.AsEnumerable().Select(pair => pair.Key)
                .FirstOrDefault(k => k.Split(':').Contains(name, StringComparer.OrdinalIgnoreCase));
            if (key is not null)
            {
                return Of(key);
            }
        }

        return File;
    }

    private string Describe(IConfigurationProvider provider, string key) => provider switch
    {
        JsonConfigurationProvider => File,
        EnvironmentVariablesConfigurationProvider => $"environment variable {EnvironmentName(key)}",
        MemoryConfigurationProvider => $"command-line option for {key}",
        _ => provider.ToString() ?? File,
    };

    // The variable as the user spelled it, when it is set; the canonical spelling otherwise.
    private static string EnvironmentName(string key)
    {
        var canonical = OptionsLoader.EnvironmentPrefix + key.Replace(":", "__", StringComparison.Ordinal);
        foreach (DictionaryEntry variable in Environment.GetEnvironmentVariables())
        {
            if (variable.Key is string name && string.Equals(name, canonical, StringComparison.OrdinalIgnoreCase))
            {
                return name;
            }
        }

        return canonical.ToUpperInvariant();
    }

    [GeneratedRegex("'([^']+)'")]
    private static partial Regex Quoted();
}
