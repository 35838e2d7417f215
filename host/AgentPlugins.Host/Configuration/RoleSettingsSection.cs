using Microsoft.Extensions.Configuration;

namespace AgentPlugins.Host.Configuration;

/// <summary>
/// Reads plugins.json <c>roles:settings</c> from the merged configuration (file, then
/// <c>AGENTPLUGINS_</c> environment variables, then command line). Its keys are the roles' own, so it
/// is read apart from the options binder: role names and keys are case-insensitive at every level
/// (<c>AGENTPLUGINS_ROLES__SETTINGS__SMARTHOME__TOKEN</c> adds <c>token</c> to the <c>smarthome</c> role's
/// settings from plugins.json, it does not replace them), and a nested section's keys are joined with
/// <c>:</c> (<c>http:baseAddress</c>).
/// </summary>
internal static class RoleSettingsSection
{
    public const string Key = "roles:settings";

    public static Dictionary<string, Dictionary<string, string>> Read(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var roles = new Dictionary<string, Dictionary<string, string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var role in configuration.GetSection(Key).GetChildren())
        {
            var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var (key, value) in role.AsEnumerable(makePathsRelative: true))
            {
                if (value is not null && key.Length > 0)
                {
                    values[key] = value;
                }
            }

            roles[role.Key] = values;
        }

        return roles;
    }

    /// <summary>True for <c>roles:settings</c> and every key under it, which the options binder leaves alone.</summary>
    public static bool Holds(string key) =>
        key.Equals(Key, StringComparison.OrdinalIgnoreCase) || key.StartsWith(Key + ":", StringComparison.OrdinalIgnoreCase);
}
