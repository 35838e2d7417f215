namespace AgentPlugins.Host.Compilation;

/// <summary>Diagnostic codes for a file that cannot be read as a role (the same for the host and <c>host validate</c>).</summary>
internal static class RoleFileCodes
{
    /// <summary>Unreadable, not a regular file, a link out of the roles folder, too big, binary or not UTF-8.</summary>
    public const string Unreadable = "AP1009";

    /// <summary>An empty file: a warning, never a role.</summary>
    public const string Empty = "AP1012";
}
