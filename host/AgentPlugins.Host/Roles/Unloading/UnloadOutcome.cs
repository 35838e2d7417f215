namespace AgentPlugins.Host.Roles.Unloading;

/// <summary>How a retired generation ended.</summary>
internal enum UnloadOutcome
{
    /// <summary>Its context was collected: no memory of it is left.</summary>
    Unloaded,

    /// <summary>Its context was still alive after every verification pass.</summary>
    Leaked,
}
