using AgentPlugins.Host.Http;
using AgentPlugins.Sdk;

namespace AgentPlugins.Host.Configuration;

/// <summary>
/// The roles' settings as configured now (plugins.json <c>roles:settings</c>), which a generation reads
/// when it loads: secrets resolved from the environment and files at that moment, the role's http
/// section checked. Replaced when plugins.json changes while the host runs.
/// </summary>
internal sealed class RoleSettingsSource(AgentPluginsOptions options)
{
    private volatile Dictionary<string, Dictionary<string, string>> _configured = Copy(options.Roles.Settings);

    /// <summary>The settings <paramref name="role"/> loads with.</summary>
    /// <exception cref="ConfigurationException">A secret is missing or a value is not usable; the message names the role and key.</exception>
    public RoleSettings For(string role)
    {
        if (!_configured.TryGetValue(role, out var values))
        {
            return RoleSettings.Empty;
        }

        var settings = RoleSecrets.Resolve(role, values, options.Roles.ConfigFolder, Environment.GetEnvironmentVariable);
        RoleHttpOptions.Read(role, settings);
        return settings;
    }

    /// <summary>Takes <paramref name="next"/> as the settings from now on; the roles whose settings differ, with the keys that changed (never their values).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Replace(Dictionary<string, Dictionary<string, string>> next)
    {
        var previous = _configured;
        _configured = Copy(next);
        var changed = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var role in previous.Keys.Union(next.Keys, StringComparer.OrdinalIgnoreCase))
        {
            var before = previous.GetValueOrDefault(role) ?? [];
            var after = next.GetValueOrDefault(role) ?? [];
            var keys = before.Keys.Union(after.Keys, StringComparer.OrdinalIgnoreCase)
                .Where(key => !before.TryGetValue(key, out var old) || !after.TryGetValue(key, out var @new) || old != @new)
                .Order(StringComparer.OrdinalIgnoreCase)
                .ToList();
            if (keys.Count > 0)
            {
                changed[role] = keys;
            }
        }

        return changed;
    }

    private static Dictionary<string, Dictionary<string, string>> Copy(Dictionary<string, Dictionary<string, string>> settings) =>
        settings.ToDictionary(p => p.Key, p => new Dictionary<string, string>(p.Value, StringComparer.OrdinalIgnoreCase), StringComparer.OrdinalIgnoreCase);
}
