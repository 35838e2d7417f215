namespace AgentPlugins.Host.Roles;

/// <summary>Where a role file stands.</summary>
internal enum RoleState
{
    /// <summary>A generation serves events, tools and intents.</summary>
    Active,

    /// <summary>The file did not load; an earlier generation, if any, still serves.</summary>
    Failed,

    /// <summary>The role misbehaved (held the loop too long) and was silenced until its file changes.</summary>
    Quarantined,

    /// <summary>The file was deleted; nothing serves.</summary>
    Retired,
}
