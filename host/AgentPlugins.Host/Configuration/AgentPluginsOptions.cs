using AgentPlugins.Host.Agents;
using AgentPlugins.Host.Loop;
using AgentPlugins.Host.Roles.Unloading;
using AgentPlugins.Host.Scheduling;
using AgentPlugins.Host.Storage;
using AgentPlugins.Host.Timers;

namespace AgentPlugins.Host.Configuration;

/// <summary>plugins.json, as bound. Every key is documented in docs/configuration.md.</summary>
internal sealed record AgentPluginsOptions
{
    public RolesOptions Roles { get; init; } = new();

    /// <summary>Compiled plugins, each loaded with its own dependencies and swapped when rebuilt.</summary>
    public List<PluginOptions> Plugins { get; init; } = [];

    public StorageOptions Storage { get; init; } = new();

    public SchedulerOptions Scheduler { get; init; } = new();

    public TimersOptions Timers { get; init; } = new();

    public LoopOptions Loop { get; init; } = new();

    public RetentionOptions Retention { get; init; } = new();

    public ChannelsOptions Channels { get; init; } = new();

    public HttpOptions Http { get; init; } = new();

    /// <summary>External MCP servers whose tools roles may use.</summary>
    public McpOptions Mcp { get; init; } = new();

    /// <summary>The language models; null (no <c>llm</c> section) runs the host without one.</summary>
    public LlmOptions? Llm { get; init; }
}

/// <summary>plugins.json <c>roles</c>.</summary>
internal sealed record RolesOptions
{
    /// <summary>The folder role files are loaded from; relative to plugins.json.</summary>
    public string Folder { get; init; } = "roles";

    /// <summary>Watch the folder and swap a role whenever its file is saved, created, deleted or renamed.</summary>
    public bool Watch { get; init; } = true;

    /// <summary>How long a file must be quiet before a save is picked up; editors write a file in several steps.</summary>
    public TimeSpan Debounce { get; init; } = TimeSpan.FromMilliseconds(25);

    /// <summary>How often the whole folder is compared with what serves, for changes the file watcher missed; zero turns it off.</summary>
    public TimeSpan RescanInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Log each reload's stage timings at Information (they are always logged at Debug).</summary>
    public bool ReloadTimings { get; init; }

    /// <summary>The most the compile cache (under the data folder) may hold, in megabytes; 0 turns it off.</summary>
    public int CompileCacheMegabytes { get; init; } = 64;

    /// <summary>
    /// Where roles compile: <c>process</c> (a compiler process without tiered JIT, <see cref="Compilation.CompilerProcess"/>)
    /// or <c>inprocess</c>. Null lets the command choose: <c>host run</c> takes <c>process</c>, a host built in
    /// code (tests, embedders) <c>inprocess</c>.
    /// </summary>
    public string? Compiler { get; init; }

    /// <summary>How long the compiler process may stay idle before it exits (the next compile starts it again).</summary>
    public TimeSpan CompilerIdleTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The values <see cref="Compiler"/> accepts.</summary>
    internal static readonly string[] Compilers = [ProcessCompiler, InProcessCompiler];

    internal const string ProcessCompiler = "process";
    internal const string InProcessCompiler = "inprocess";

    /// <summary>True when roles compile in the compiler process.</summary>
    internal bool CompilesInProcess => !string.Equals(Compiler, ProcessCompiler, StringComparison.OrdinalIgnoreCase);

    /// <summary>How retired generations are seen out of memory.</summary>
    public UnloadVerifierOptions Unload { get; init; } = new();

    /// <summary>
    /// Per-role settings: role name → key → value, case-insensitive, nested keys joined with <c>:</c>
    /// (<c>http:baseAddress</c>); a role reads them through <c>context.Settings</c>. Read by
    /// <see cref="RoleSettingsSection"/>, not the binder.
    /// </summary>
    public Dictionary<string, Dictionary<string, string>> Settings { get; init; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The folder of plugins.json: a role setting naming a file (<c>tokenFile</c>) is relative to it.</summary>
    internal string ConfigFolder { get; init; } = Environment.CurrentDirectory;

    /// <summary>
    /// Check role files with the role rules (docs/rules.md) on every load. Internal, so not a
    /// plugins.json key: only tests turn it off, to reach the run-time safety nets.
    /// </summary>
    internal bool CheckRules { get; init; } = true;
}

/// <summary>plugins.json <c>channels</c>.</summary>
internal sealed record ChannelsOptions
{
    public ConsoleChannelOptions Console { get; init; } = new();

    /// <summary>Receivers of users' notifications as signed JSON POSTs.</summary>
    public List<WebhookOptions> Webhooks { get; init; } = [];

    public SlackOptions Slack { get; init; } = new();
}

/// <summary>plugins.json <c>channels:console</c>.</summary>
internal sealed record ConsoleChannelOptions
{
    /// <summary>Read requests from standard input and write replies to standard output.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>The user console requests run as.</summary>
    public string User { get; init; } = "console";
}
