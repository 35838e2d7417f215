using AgentPlugins.Host.Configuration;
using AgentPlugins.Testing;

namespace AgentPlugins.Host.Commands;

/// <summary>
/// What <c>host call</c> and <c>host repl</c> give a role, from plugins.json as <c>run</c> reads it
/// (<c>--config</c>, else ./plugins.json, with <c>AGENTPLUGINS_</c> variables over it): the role's
/// <c>roles:settings:NAME</c> (its <c>...Variable</c> and <c>...File</c> secrets resolved when it loads,
/// a missing one a load error naming role and key), its HTTP client over the real network (base address,
/// timeout, retries, headers, allowed hosts from its <c>http</c> section), the store quota and the time
/// zone. The kit builds the client and resolves the settings with the host's own code.
/// </summary>
internal sealed class CommandRoleOptions : IDisposable
{
    private readonly AgentPluginsOptions _options;
    private readonly HttpMessageHandler _network;

    /// <param name="noNetwork">The command's name when <c>--no-network</c> was given: every HTTP call is refused, saying so.</param>
    /// <exception cref="ConfigurationException">plugins.json cannot be read; the message names the file and key.</exception>
    public CommandRoleOptions(string? configPath, string? noNetwork)
    {
        _options = OptionsLoader.Load(configPath).Options;
        _network = noNetwork is null ? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) } : new NoNetworkHandler(noNetwork);
    }

    /// <summary>The options for the role file at <paramref name="path"/> (its settings by the role name its Config gives).</summary>
    public RoleHarnessOptions For(string path)
    {
        var name = RoleFileLookup.NameOf(path);
        var settings = name is not null && _options.Roles.Settings.FirstOrDefault(p => string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase)).Value is { } found
            ? found
            : new Dictionary<string, string>();
        return new RoleHarnessOptions
        {
            Settings = settings,
            SettingsFolder = _options.Roles.ConfigFolder,
            Http = _network,
            StoreQuotaKilobytes = _options.Storage.RoleStoreQuotaKilobytes,
            TimeZone = _options.Timers.FindTimeZone() ?? TimeZoneInfo.Utc,
        };
    }

    public void Dispose() => _network.Dispose();
}
