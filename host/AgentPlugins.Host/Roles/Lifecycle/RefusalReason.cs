namespace AgentPlugins.Host.Roles;

/// <summary>Why a role that loaded may not serve.</summary>
internal enum RefusalReason
{
    /// <summary>Another file's role has the same name; this one takes over when that file goes.</summary>
    NameTaken,

    /// <summary>The role is quarantined and its file's content has not changed.</summary>
    Quarantined,
}
