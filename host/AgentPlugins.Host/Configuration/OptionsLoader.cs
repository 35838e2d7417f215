using System.Text.Json;
using AgentPlugins.Host.Agents;
using AgentPlugins.Host.Storage;
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

    // Bounds of what a machine can hold: larger values are typing mistakes, refused naming the key.
    private const long MaxMegabytes = 1_048_576;
    private const long MaxIngressCapacity = 1_048_576;

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
            CheckJson(path);
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

        var sources = new ConfigurationSources(configuration, path);
        AgentPluginsOptions options;
        try
        {
            // roles:settings holds the roles' own keys: read apart, case-insensitively, nested sections flattened.
            var bindable = new ConfigurationBuilder()
                .AddInMemoryCollection(configuration.AsEnumerable().Where(pair => !RoleSettingsSection.Holds(pair.Key)))
                .Build();
            options = bindable.Get<AgentPluginsOptions>(binder => binder.ErrorOnUnknownConfiguration = true) ?? new AgentPluginsOptions();
        }
        catch (InvalidOperationException ex)
        {
            throw new ConfigurationException($"{sources.Blame(ex.Message)}: {Explain(ex)}", ex);
        }

        var baseFolder = Path.GetDirectoryName(path)!;
        options = options with
        {
            Roles = options.Roles with
            {
                Folder = Path.GetFullPath(options.Roles.Folder, baseFolder),
                Settings = RoleSettingsSection.Read(configuration),
                ConfigFolder = baseFolder,
            },
            Storage = options.Storage with { DataFolder = Path.GetFullPath(options.Storage.DataFolder, baseFolder) },
            Plugins = [.. options.Plugins.Select(p => string.IsNullOrWhiteSpace(p.Path) ? p : p with { Path = Path.GetFullPath(p.Path, baseFolder) })],
        };
        Check(options, sources);
        return (options, baseFolder);
    }

    // The JSON provider's own error names neither line nor column; a parse of our own does.
    private static void CheckJson(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            using var document = JsonDocument.Parse(stream, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ConfigurationException($"{path}: must hold one JSON object ({{ ... }}), not {document.RootElement.ValueKind.ToString().ToLowerInvariant()}.");
            }
        }
        catch (JsonException ex)
        {
            // JsonException counts lines and bytes from 0.
            var line = (ex.LineNumber ?? 0) + 1;
            var column = (ex.BytePositionInLine ?? 0) + 1;
            var reason = ex.Message.Split(" Path:", 2)[0].Split(" LineNumber:", 2)[0].TrimEnd('.');
            throw new ConfigurationException($"{path} line {line}, column {column}: not valid JSON ({reason}).", ex);
        }
        catch (IOException ex)
        {
            throw new ConfigurationException($"{path}: cannot be read ({ex.Message}).", ex);
        }
    }

    private static string Explain(InvalidOperationException ex)
    {
        // The binder says "Failed to convert configuration value at 'Loop:IngressCapacity' to type ..."
        // with the cause inside; one line with both is what a user needs.
        var message = ex.Message;
        return ex.InnerException is null ? message : $"{message} ({ex.InnerException.Message})";
    }

    private static void Check(AgentPluginsOptions options, ConfigurationSources sources)
    {
        void Require(bool condition, string key, string problem)
        {
            if (!condition)
            {
                throw new ConfigurationException($"{sources.Of(key)}: '{key}' {problem}");
            }
        }

        void InRange(long value, string key, long min, long max, string unit) =>
            Require(value >= min && value <= max, key, $"must be from {min:N0} to {max:N0} {unit} (it is {value:N0}).");

        Require(!string.IsNullOrWhiteSpace(options.Roles.Folder), "roles:folder", "must name a folder.");
        Require(options.Roles.Debounce >= TimeSpan.Zero && options.Roles.Debounce <= TimeSpan.FromSeconds(10), "roles:debounce", "must be a time span from 00:00:00 to 00:00:10, e.g. \"00:00:00.025\".");
        Require(options.Roles.RescanInterval == TimeSpan.Zero || (options.Roles.RescanInterval >= TimeSpan.FromMilliseconds(100) && options.Roles.RescanInterval <= TimeSpan.FromDays(1)), "roles:rescanInterval", "must be 00:00:00 (off) or a time span from 00:00:00.1 to 1.00:00:00, e.g. \"00:00:30\".");
        InRange(options.Roles.CompileCacheMegabytes, "roles:compileCacheMegabytes", 0, MaxMegabytes, "megabytes (0 turns the cache off)");
        Require(options.Roles.Compiler is null || RolesOptions.Compilers.Contains(options.Roles.Compiler, StringComparer.OrdinalIgnoreCase), "roles:compiler", $"must be \"process\" (a compiler process, the default for host run) or \"inprocess\" (it is \"{options.Roles.Compiler}\").");
        Require(options.Roles.CompilerIdleTimeout >= TimeSpan.FromSeconds(1) && options.Roles.CompilerIdleTimeout <= TimeSpan.FromDays(1), "roles:compilerIdleTimeout", "must be a time span from 00:00:01 to 1.00:00:00, e.g. \"00:05:00\".");
        InRange(options.Roles.Unload.Passes, "roles:unload:passes", 1, 1000, "passes");
        Require(options.Roles.Unload.DrainTimeout >= TimeSpan.Zero && options.Roles.Unload.DrainTimeout <= TimeSpan.FromMinutes(10), "roles:unload:drainTimeout", "must be a time span from 00:00:00 to 00:10:00, e.g. \"00:00:05\".");
        Require(options.Scheduler.Heartbeat > TimeSpan.Zero && options.Scheduler.Heartbeat <= TimeSpan.FromDays(1), "scheduler:heartbeat", "must be a positive time span of at most 1 day, e.g. \"00:00:30\".");
        Require(options.Scheduler.FastHeartbeat > TimeSpan.Zero && options.Scheduler.FastHeartbeat <= TimeSpan.FromDays(1), "scheduler:fastHeartbeat", "must be a positive time span of at most 1 day, e.g. \"00:00:05\".");
        Require(options.Timers.FindTimeZone() is not null, "timers:timeZone", $"'{options.Timers.TimeZone}' is not a time zone this machine knows; use an IANA id such as \"Europe/Paris\", \"UTC\", or \"local\".");
        Require(options.Timers.MaxDuration > TimeSpan.Zero && options.Timers.MaxDuration <= MaxTimerDuration, "timers:maxDuration", "must be a positive time span of at most 36500 days, e.g. \"30.00:00:00\".");
        InRange(options.Timers.MaxPerUser, "timers:maxPerUser", 1, 1_000_000, "timers");
        Require(options.Timers.OwnerGrace > TimeSpan.Zero && options.Timers.OwnerGrace <= MaxTimerDuration, "timers:ownerGrace", "must be a positive time span of at most 36500 days, e.g. \"1.00:00:00\".");
        InRange(options.Storage.RoleStoreQuotaKilobytes, "storage:roleStoreQuotaKilobytes", 1, MaxMegabytes * 1024, "kilobytes");
        InRange(options.Loop.IngressCapacity, "loop:ingressCapacity", 1, MaxIngressCapacity, "pieces of work");
        Require(options.Loop.SlowCallThreshold > TimeSpan.Zero && options.Loop.SlowCallThreshold <= TimeSpan.FromMinutes(10), "loop:slowCallThreshold", "must be a positive time span of at most 00:10:00, e.g. \"00:00:02\".");
        Require(options.Loop.HardLimit is null || options.Loop.HardLimit > options.Loop.SlowCallThreshold, "loop:hardLimit", "must be a time span longer than loop:slowCallThreshold, e.g. \"00:00:05\".");
        Require(options.Loop.RoleBudget is > 0 and <= 1, "loop:roleBudget", "must be a share of the window above 0 and at most 1 (1 turns the budget off), e.g. 0.5.");
        Require(options.Loop.BudgetWindow >= TimeSpan.FromMilliseconds(100), "loop:budgetWindow", "must be a time span of at least 00:00:00.1, e.g. \"00:00:05\".");
        Require(!string.IsNullOrWhiteSpace(options.Channels.Console.User), "channels:console:user", "must not be empty.");
        Require(options.Retention.Interval >= TimeSpan.FromSeconds(1) && options.Retention.Interval <= TimeSpan.FromDays(1), "retention:interval", "must be a time span from 00:00:01 to 1.00:00:00, e.g. \"00:05:00\".");
        InRange(options.Retention.BatchSize, "retention:batchSize", 1, 100_000, "rows");
        foreach (var (store, policy) in options.Retention.Stores)
        {
            Require(RetentionOptions.KnownStores.Contains(store, StringComparer.OrdinalIgnoreCase), $"retention:stores:{store}", $"is not a store this host keeps; stores: {string.Join(", ", RetentionOptions.KnownStores)}.");
            Require(policy.MaxAge is not { } age || (age >= TimeSpan.Zero && age <= TimeSpan.FromDays(36500)), $"retention:stores:{store}:maxAge", "must be a time span from 00:00:00 (no age bound) to 36500 days, e.g. \"30.00:00:00\".");
            if (policy.MaxMegabytes is { } megabytes)
            {
                InRange(megabytes, $"retention:stores:{store}:maxMegabytes", 0, MaxMegabytes, "megabytes (0 sets no size bound)");
            }
        }

        for (var i = 0; i < options.Plugins.Count; i++)
        {
            var plugin = options.Plugins[i];
            Require(!string.IsNullOrWhiteSpace(plugin.Path), $"plugins:{i}:path", "must name a built plugin assembly (.dll) or its output folder.");
            Require(!plugin.Enabled || File.Exists(plugin.Path) || Directory.Exists(plugin.Path), $"plugins:{i}:path", $"'{plugin.Path}' does not exist; build the plugin first (`dotnet build`), or set \"enabled\": false.");
            Require(!File.Exists(plugin.Path) || plugin.Path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase), $"plugins:{i}:path", $"'{plugin.Path}' must be a .dll or a folder.");
            var twin = options.Plugins.FindIndex(p => p.Path == plugin.Path);
            Require(twin == i, $"plugins:{i}:path", $"'{plugin.Path}' is listed twice (also plugins:{twin}).");
        }

        StorageOptionsRules.Check(options.Storage, Require, Environment.GetEnvironmentVariable);
        FrontDoor.HttpOptionsRules.Check(options, Require, Environment.GetEnvironmentVariable);
        McpServerRules.Check(options.Mcp, Require, Environment.GetEnvironmentVariable);
        if (options.Llm is not null)
        {
            try
            {
                ModelTiers.Resolve(options.Llm, Environment.GetEnvironmentVariable);
            }
            catch (ConfigurationException ex)
            {
                throw new ConfigurationException($"{sources.File}: {ex.Message}", ex);
            }
        }
    }

    /// <summary>What is wrong with options built in code (tests, embedders) rather than read here; empty when usable.</summary>
    public static IReadOnlyList<string> Problems(AgentPluginsOptions options)
    {
        try
        {
            Check(options, new ConfigurationSources(null, "options"));
            return [];
        }
        catch (ConfigurationException ex)
        {
            return [ex.Message];
        }
    }
}
