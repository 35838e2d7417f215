namespace AgentPlugins.Host.Configuration;

/// <summary>plugins.json <c>plugins[]</c>: one compiled plugin (docs/plugins.md).</summary>
internal sealed record PluginOptions
{
    /// <summary>The built plugin: its assembly, or the build's output folder; relative to plugins.json.</summary>
    public string Path { get; init; } = string.Empty;

    /// <summary>Load it; a disabled plugin is listed but not loaded.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Settings every role of the plugin reads through <c>IntentContext.Settings</c> (over <c>roles:settings</c>).</summary>
    public Dictionary<string, string> Settings { get; init; } = new(StringComparer.Ordinal);
}
