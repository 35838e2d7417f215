namespace AgentPlugins.Host.Plugins;

/// <summary>A plugin project that cannot be read: MSBuild is missing, or it could not evaluate or restore the project.</summary>
internal sealed class PluginProjectException : Exception
{
    public PluginProjectException()
    {
    }

    public PluginProjectException(string message)
        : base(message)
    {
    }

    public PluginProjectException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
