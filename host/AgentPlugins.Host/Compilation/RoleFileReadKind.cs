namespace AgentPlugins.Host.Compilation;

/// <summary>What reading a role file found.</summary>
internal enum RoleFileReadKind
{
    Read,
    Gone,
    Empty,
    Problem,
}
