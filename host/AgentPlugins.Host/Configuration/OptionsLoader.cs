using AgentPlugins.Host.Agents;
using Microsoft.Extensions.Configuration;

namespace AgentPlugins.Host.Configuration;

/// <summary>
/// Reads the host's options from plugins.json, then <c>AGENTPLUGINS_</c> environment variables
/// (<c>AGENTPLUGINS_ROLES__FOLDER</c>), then command-line overrides, later ones winning. An unknown key,
/// a value of the wrong type or an impossible value stops start-up with a message naming the key.
/// Relative folders are resolved against the folder of plugins.json.
/// </summary>
internal static class OptionsLoader
{
    public const string EnvironmentPrefix = "AGENTPLUGINS_";

    // A due time must stay a valid DateTimeOffset (year 9999) whatever today's date.
    private static readonly TimeSpan MaxTimerDuration = TimeSpan.FromDays(36500);

    /// <param name="configPath">plugins.json; when null, ./plugins.json if it exists, else embedded defaults.</param>
    /// <param name="overrides">Command-line overrides, keyed like configuration paths (<c>roles:folder</c>).</param>
    public static (AgentPluginsOptions Options, string BaseFolder) Load(string? configPath, IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var explicitPath = configPath is not null;
        var path = Path.GetFullPath(configPath ?? "plugins.json");
        if (explicitPath && !File.Exists(path))
        {
            throw new ConfigurationException($"Configuration file '{path}' does not exist.");
        }

        var builder = new ConfigurationBuilder();
        if (File.Exists(path))
        {
            builder.AddJsonFile(path, optional: false, reloadOnChange: false);
        }

        builder.AddEnvironmentVariables(EnvironmentPrefix);
        if (overrides is not null)
        {
            builder.AddInMemoryCollection(overrides);
        }

        IConfigurationRoot configuration;
        try
        {
            configuration = builder.Build();
        }
        catch (Exception ex) when (ex is FormatException or InvalidDataException or IOException)
        {
            throw new ConfigurationException($"{path}: {ex.Message}{(ex.InnerException is null ? string.Empty : " " + ex.InnerException.Message)}", ex);
        }

        AgentPluginsOptions options;
        try
        {
            options = configuration.Get<AgentPluginsOptions>(binder => binder.ErrorOnUnknownConfiguration = true) ?? new AgentPluginsOptions();
        }
        catch (InvalidOperationException ex)
        {
            throw new ConfigurationException($"{path}: {Explain(ex)}", ex);
        }

        var baseFolder = Path.GetDirectoryName(path)!;
        options = options with
        {
            Roles = options.Roles with { Folder = Path.GetFullPath(options.Roles.Folder, baseFolder) },
            Storage = options.Storage with { DataFolder = Path.GetFullPath(options.Storage.DataFolder, baseFolder) },
        };
        Check(options, path);
        return (options, baseFolder);
    }

    private static string Explain(InvalidOperationException ex)
    {
        // The binder says "Failed to convert configuration value at 'Loop:IngressCapacity' to type ..."
        // with the cause inside; one line with both is what a user needs.
        var message = ex.Message;
        return ex.InnerException is null ? message : $"{message} ({ex.InnerException.Message})";
    }

    private static void Check(AgentPluginsOptions options, string path)
    {
        void Require(bool condition, string key, string problem)
        {
            if (!condition)
            {
                throw new ConfigurationException($"{path}: '{key}' {problem}");
            }
        }

        Require(!string.IsNullOrWhiteSpace(options.Roles.Folder), "roles:folder", "must name a folder.");
        Require(options.Roles.Debounce >= TimeSpan.Zero && options.Roles.Debounce <= TimeSpan.FromSeconds(10), "roles:debounce", "must be a time span from 00:00:00 to 00:00:10, e.g. \"00:00:00.025\".");
        Require(options.Roles.CompileCacheMegabytes >= 0, "roles:compileCacheMegabytes", "must be 0 (off) or a positive number of megabytes.");
        Require(options.Roles.Unload.Passes > 0, "roles:unload:passes", "must be a positive number.");
        Require(options.Roles.Unload.DrainTimeout >= TimeSpan.Zero, "roles:unload:drainTimeout", "must be a time span, e.g. \"00:00:05\".");
        Require(options.Scheduler.Heartbeat > TimeSpan.Zero, "scheduler:heartbeat", "must be a positive time span, e.g. \"00:00:30\".");
        Require(options.Scheduler.FastHeartbeat > TimeSpan.Zero, "scheduler:fastHeartbeat", "must be a positive time span, e.g. \"00:00:05\".");
        Require(options.Timers.FindTimeZone() is not null, "timers:timeZone", $"'{options.Timers.TimeZone}' is not a time zone this machine knows; use an IANA id such as \"Europe/Paris\", \"UTC\", or \"local\".");
        Require(options.Timers.MaxDuration > TimeSpan.Zero && options.Timers.MaxDuration <= MaxTimerDuration, "timers:maxDuration", "must be a positive time span of at most 36500 days, e.g. \"30.00:00:00\".");
        Require(options.Timers.MaxPerUser > 0, "timers:maxPerUser", "must be a positive number.");
        Require(options.Loop.IngressCapacity > 0, "loop:ingressCapacity", "must be a positive number.");
        Require(options.Loop.SlowCallThreshold > TimeSpan.Zero, "loop:slowCallThreshold", "must be a positive time span, e.g. \"00:00:02\".");
        Require(options.Loop.HardLimit is null || options.Loop.HardLimit > options.Loop.SlowCallThreshold, "loop:hardLimit", "must be a time span longer than loop:slowCallThreshold, e.g. \"00:00:05\".");
        Require(options.Loop.RoleBudget is > 0 and <= 1, "loop:roleBudget", "must be a share of the window above 0 and at most 1 (1 turns the budget off), e.g. 0.5.");
        Require(options.Loop.BudgetWindow >= TimeSpan.FromMilliseconds(100), "loop:budgetWindow", "must be a time span of at least 00:00:00.1, e.g. \"00:00:05\".");
        Require(!string.IsNullOrWhiteSpace(options.Channels.Console.User), "channels:console:user", "must not be empty.");
        FrontDoor.HttpOptionsRules.Check(options, Require, Environment.GetEnvironmentVariable);
        if (options.Llm is not null)
        {
            try
            {
                ModelTiers.Resolve(options.Llm, Environment.GetEnvironmentVariable);
            }
            catch (ConfigurationException ex)
            {
                throw new ConfigurationException($"{path}: {ex.Message}", ex);
            }
        }
    }

    /// <summary>What is wrong with options built in code (tests, embedders) rather than read here; empty when usable.</summary>
    public static IReadOnlyList<string> Problems(AgentPluginsOptions options)
    {
        try
        {
            Check(options, "options");
            return [];
        }
        catch (ConfigurationException ex)
        {
            return [ex.Message];
        }
    }
}
