namespace AgentPlugins.Host.Plugins;

/// <summary>A plugin build that cannot be loaded at all (missing, not an assembly, a dependency that does not resolve).</summary>
internal sealed class PluginLoadException : Exception
{
    public PluginLoadException()
    {
    }

    public PluginLoadException(string message)
        : base(message)
    {
    }

    public PluginLoadException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
