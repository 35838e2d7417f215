using AgentPlugins.Sdk;

namespace AgentPlugins.Host.Configuration;

/// <summary>
/// Turns a role's settings as configured into what the role reads: a key ending in <c>Variable</c>
/// names an environment variable and a key ending in <c>File</c> a file (relative to plugins.json),
/// whose value (the file's text, trimmed) the role reads under the key without the suffix
/// (<c>"tokenVariable": "HA_TOKEN"</c> → <c>token</c>), like <c>llm:providers:*:apiKeyVariable</c>. Such
/// values, and keys that name a secret (token, password, secret, apiKey), are secrets: never shown.
/// Read when the role loads; a missing variable or file is a load error naming the role and key.
/// </summary>
internal static class RoleSecrets
{
    private const string VariableSuffix = "Variable";
    private const string FileSuffix = "File";
    private static readonly string[] SecretWords = ["token", "password", "secret", "apikey", "api_key"];

    /// <exception cref="ConfigurationException">A named variable or file is missing, or a key is given twice.</exception>
    public static RoleSettings Resolve(string role, IReadOnlyDictionary<string, string> configured, string baseFolder, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(configured);
        ArgumentNullException.ThrowIfNull(environment);
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var secrets = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in configured.OrderBy(p => p.Key, StringComparer.OrdinalIgnoreCase))
        {
            if (Strip(key, VariableSuffix) is { } fromVariable)
            {
                var read = environment(value);
                if (string.IsNullOrEmpty(read))
                {
                    throw new ConfigurationException($"Role '{role}': setting '{key}' names the environment variable '{value}', which is not set (roles:settings:{role}:{key}).");
                }

                Add(role, key, fromVariable, read, configured, values, secrets);
            }
            else if (Strip(key, FileSuffix) is { } fromFile)
            {
                var path = Path.GetFullPath(value, baseFolder);
                string read;
                try
                {
                    read = File.ReadAllText(path).Trim();
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
                {
                    throw new ConfigurationException($"Role '{role}': setting '{key}' names the file '{path}', which cannot be read ({ex.GetType().Name}: {ex.Message}) (roles:settings:{role}:{key}).", ex);
                }

                Add(role, key, fromFile, read, configured, values, secrets);
            }
            else
            {
                values[key] = value;
                if (LooksSecret(key))
                {
                    secrets.Add(key);
                }
            }
        }

        return new RoleSettings(values, secrets);
    }

    /// <summary>True for a key whose value is a secret by its name (<c>token</c>, <c>http:headers:X-Api-Key</c>).</summary>
    public static bool LooksSecret(string key)
    {
        var name = key.Replace("-", string.Empty, StringComparison.Ordinal);
        return SecretWords.Any(word => name.Contains(word, StringComparison.OrdinalIgnoreCase))
            || name.EndsWith("authorization", StringComparison.OrdinalIgnoreCase);
    }

    private static void Add(string role, string key, string name, string value, IReadOnlyDictionary<string, string> configured, Dictionary<string, string> values, HashSet<string> secrets)
    {
        if (configured.Keys.Any(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase)))
        {
            throw new ConfigurationException($"Role '{role}': settings '{name}' and '{key}' both set '{name}'; keep one (roles:settings:{role}).");
        }

        values[name] = value;
        secrets.Add(name);
    }

    // "tokenVariable" → "token"; the suffix is matched in its camelCase spelling, so "profile" stays a plain key.
    private static string? Strip(string key, string suffix)
    {
        var last = key.LastIndexOf(':') + 1;
        var leaf = key[last..];
        return leaf.Length > suffix.Length && leaf.EndsWith(suffix, StringComparison.Ordinal) ? key[..(key.Length - suffix.Length)] : null;
    }
}
